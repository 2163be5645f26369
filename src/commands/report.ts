import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { newRunDirectory } from '../engine/run-store.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { buildReport } from '../report/build-report.js';
import { renderHtml } from '../report/render-html.js';
import { renderJunit } from '../report/render-junit.js';
import { renderMarkdown } from '../report/render-markdown.js';
import type { ReportModel } from '../report/report-model.js';
import { findRunDirectories, readRunDirectory } from '../report/run-directory.js';
import { readVersion } from '../version.js';
import { parseAgeFlag } from './age-flag.js';
import { knownSops, scenariosOfRuns } from './report-inputs.js';

export interface ReportFlags {
  format: string;
  out?: string;
  scenario?: string;
  sops?: string;
  maxAge: string;
  json?: boolean;
}

const RENDERERS = {
  html: { file: 'report.html', render: renderHtml },
  md: { file: 'report.md', render: renderMarkdown },
  json: { file: 'report.json', render: (model: ReportModel) => `${JSON.stringify(model, null, 2)}\n` },
  junit: { file: 'report.junit.xml', render: renderJunit },
} as const;

type Format = keyof typeof RENDERERS;

function isFormat(name: string): name is Format {
  return name in RENDERERS;
}

function parseFormats(text: string): Format[] {
  const names = text.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isFormat(name) && name !== 'markdown');
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--format: ${unknown.length > 0 ? `unknown format "${unknown.join('", "')}"` : 'no format given'}: choose from html, md, json, junit (comma-separated)`);
  return [...new Set(names.map((name) => (name === 'markdown' ? 'md' : name)).filter(isFormat))];
}

/**
 * `live-assure report <run-dir...>`: reads run directories only, and writes the post-event
 * report in each format asked for. Exit 1 when the report's verdict fails, so CI can gate on it.
 */
export async function runReport(dirs: string[], flags: ReportFlags, io: Io): Promise<number> {
  const formats = parseFormats(flags.format);
  const maxAgeMs = parseAgeFlag(flags.maxAge, '--max-age');
  const runs = findRunDirectories(dirs, io.cwd).map(({ path, shown }) => readRunDirectory(path, shown));
  const notes: string[] = [];
  const model = await buildReport({
    runs,
    scenarios: await scenariosOfRuns(runs, flags.scenario, io, notes),
    sops: await knownSops(runs, flags.sops, io),
    nowMs: io.now(),
    maxAgeMs,
    tool: { name: 'live-assure', version: readVersion() },
    notes,
  });
  const out = flags.json === true ? io.stderr : io.stdout;
  if (flags.json === true) io.stdout.write(`${JSON.stringify(model)}\n`);
  if (flags.json !== true || flags.out !== undefined) {
    const dir = flags.out !== undefined ? resolve(io.cwd, flags.out) : newRunDirectory(resolve(io.cwd, 'reports'), 'report', io.now());
    try {
      mkdirSync(dir, { recursive: true });
      for (const format of formats) writeFileSync(join(dir, RENDERERS[format].file), RENDERERS[format].render(model));
    } catch (error) {
      throw new UsageError(`report: cannot write to ${dir}: ${error instanceof Error ? error.message : String(error)}`, 'give --out a directory that can be created');
    }
    const shown = relative(io.cwd, dir) || '.';
    out.write(`${model.verdict.line}\n`);
    for (const line of model.summary) out.write(`  ${line}\n`);
    out.write(`report: ${runs.length} run director${runs.length === 1 ? 'y' : 'ies'} → ${formats.map((format) => join(shown.startsWith('..') ? dir : shown, RENDERERS[format].file)).join(', ')}\n`);
  }
  return model.verdict.pass ? ExitCode.Ok : ExitCode.Finding;
}
