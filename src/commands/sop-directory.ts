import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { loadSopFiles, type LoadedSop } from '../sops/load-sop.js';

/** The SOP files (`*.yaml`, `*.yml`) of a directory, every one checked; `sops lint` reads `--sops` the same way. */
export async function loadSopDirectory(dir: string, io: Io): Promise<LoadedSop[]> {
  let names: string[];
  try {
    names = readdirSync(resolve(io.cwd, dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    throw new UsageError(`--sops ${dir}: ${error instanceof Error && 'code' in error ? String(error.code) : String(error)}`, 'give the directory that holds the SOP files, e.g. --sops sops');
  }
  const loaded = await loadSopFiles(names.map((name) => join(dir, name)), { cwd: io.cwd, env: io.env });
  if (loaded.length === 0) throw new UsageError(`--sops ${dir}: no SOP files (*.yaml) there`);
  return loaded;
}
