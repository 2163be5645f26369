import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { Scenario } from '../scenarios/schema.js';

/** Splits CSV text into rows of fields (RFC 4180 quoting: `"a ""quoted"", field"`), with each row's line number. */
function parseCsv(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else field += char;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/** The values of one column of a CSV feeder file (relative to the scenario's folder). */
async function readCsvColumn(feed: { key: string; file: string; column: string }, baseDir: string, scenarioFile: string): Promise<string[]> {
  const { file, column } = feed;
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : String(error);
    throw new InvalidInputError([{ file: scenarioFile, line: 1, col: 1, path: `keys.${feed.key}.csv.file`, message: `CSV feeder ${file}: ${reason}` }]);
  }
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const index = header?.fields.findIndex((name) => name.trim() === column) ?? -1;
  if (header === undefined || index === -1) {
    const have = header?.fields.join(', ') ?? 'none';
    throw new InvalidInputError([{ file: path, line: 1, col: 1, path: column, message: `no column "${column}" in the header (columns: ${have})` }]);
  }
  const values: string[] = [];
  for (const row of rows) {
    const value = row.fields[index];
    if (value === undefined) throw new InvalidInputError([{ file: path, line: row.line, col: 1, path: column, message: `the row has ${row.fields.length} fields, no "${column}"` }]);
    values.push(value);
  }
  if (values.length === 0) throw new InvalidInputError([{ file: path, line: 1, col: 1, path: column, message: 'the file has a header but no rows' }]);
  return values;
}

/** Values of each CSV-fed key of a scenario, read relative to the scenario file. */
export async function scenarioFeeds(scenario: Scenario, file: string, cwd: string): Promise<Record<string, string[]>> {
  const feeds: Record<string, string[]> = {};
  for (const [key, distribution] of Object.entries(scenario.keys)) {
    const csv = distribution.csv;
    if (csv !== undefined) feeds[key] = await readCsvColumn({ key, file: csv.file, column: csv.column }, dirname(resolve(cwd, file)), file);
  }
  return feeds;
}
