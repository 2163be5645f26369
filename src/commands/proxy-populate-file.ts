import { InvalidInputError } from '../errors.js';
import { readPopulate } from '../faults/api-bodies.js';
import { ApiError } from '../faults/api-http.js';
import type { ProxyInput } from '../faults/proxy-model.js';
import { readInputFile } from '../scenarios/read-input-file.js';
import { parseYamlSource } from '../scenarios/yaml-source.js';

const HINT = 'the file is what `toxiproxy-server -config` takes: a JSON array of {"name", "listen", "upstream"}';

/** Reads a Toxiproxy config file (`--populate`); every problem is located `file:line:col` and exits 2. */
export async function readPopulateFile(file: string, cwd: string): Promise<ProxyInput[]> {
  const text = await readInputFile(file, cwd, 'the proxies file');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
    const { line, col } = lineAndColumn(text, offset);
    throw new InvalidInputError([{ file, line, col, path: '', message: `not JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}` }], HINT);
  }
  try {
    return readPopulate(data);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // `{"proxies": [...]}` is read too; its paths start inside the list.
    const wrapped = typeof data === 'object' && data !== null && 'proxies' in data && Array.isArray(data.proxies);
    const path = wrapped ? ['proxies', ...error.path] : error.path;
    // JSON is YAML, and the YAML reader knows where every path is.
    const source = parseYamlSource(text, file, {});
    const { line, col } = source.locate(path);
    throw new InvalidInputError([{ file, line, col, path: path.map(String).join('.'), message: error.reason }], HINT);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
