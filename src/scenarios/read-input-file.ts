import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';

/**
 * Reads an input file (`file` relative to `cwd`) as text; a missing or unreadable file is an
 * `InvalidInputError` located at the file, named as the user typed it, so it can be pasted back.
 */
export async function readInputFile(file: string, cwd: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    const reasons: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };
    const reason = (typeof code === 'string' ? reasons[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
    throw new InvalidInputError([{ file, line: 1, col: 1, path: '', message: `cannot read ${what}: ${reason}` }]);
  }
}
