import { formatIssue, InvalidInputError, type LocatedIssue } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { parseScenario } from '../scenarios/load-scenario.js';
import { readInputFile } from '../scenarios/read-input-file.js';
import { checkSopText, looksLikeSop } from '../sops/load-sop.js';

interface FileResult {
  file: string;
  valid: boolean;
  issues: LocatedIssue[];
}

async function checkFile(file: string, io: Io): Promise<FileResult> {
  try {
    const text = await readInputFile(file, io.cwd, 'the scenario or SOP');
    const result = looksLikeSop(text) ? await checkSopText(text, file, { cwd: io.cwd, env: io.env }) : parseScenario(text, file, io.env);
    if (!result.ok) throw new InvalidInputError(result.issues);
    return { file, valid: true, issues: [] };
  } catch (error) {
    if (error instanceof InvalidInputError) return { file, valid: false, issues: [...error.issues] };
    throw error;
  }
}

/** `live-assure validate <file...>`: every file checked, every problem printed, exit 2 if any. */
export async function runValidate(files: string[], options: { json?: boolean }, io: Io): Promise<number> {
  const results: FileResult[] = [];
  for (const file of files) results.push(await checkFile(file, io));
  const invalid = results.filter((result) => !result.valid);

  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ valid: invalid.length === 0, files: results }, null, 2)}\n`);
  } else {
    for (const result of results) {
      if (result.valid) io.stdout.write(`ok  ${result.file}\n`);
      for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
    }
    if (invalid.length > 0) {
      const count = invalid.reduce((sum, result) => sum + result.issues.length, 0);
      io.stderr.write(`${count} problem${count === 1 ? '' : 's'} in ${invalid.length} of ${results.length} file${results.length === 1 ? '' : 's'}\n`);
    }
  }
  return invalid.length === 0 ? ExitCode.Ok : ExitCode.Invalid;
}

