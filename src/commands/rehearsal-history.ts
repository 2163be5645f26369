import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { RehearsalRecord } from '../sops/rehearsal-freshness.js';

/**
 * The rehearsals recorded under a runs folder, for `sops lint`: only the few fields freshness
 * needs (`journal.json`'s `sop.id`, `status`, `ended_at`). A run directory sits one level down
 * (`runs/<timestamp>-rehearse-<id>`) or two (`rehearse` of several SOPs writes one subdirectory
 * each). Loadtest and watch runs are passed over quietly; a rehearsal directory that is broken or
 * cut short (killed before its journal) is skipped with a note, never fatal: one bad directory
 * must not hide the history of every other SOP.
 */

const manifestFields = z.object({ kind: z.string() });
const journalFields = z.object({ sop: z.object({ id: z.string() }), status: z.string(), ended_at: z.string() });

export interface RehearsalHistory {
  rehearsals: RehearsalRecord[];
  /** Directories skipped, and why. */
  notes: string[];
}

function readJson(path: string): { ok: true; value: unknown } | { ok: false; why: string } {
  try {
    return { ok: true, value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    return { ok: false, why: error instanceof SyntaxError ? 'not JSON (cut off mid-write?)' : error instanceof Error && 'code' in error ? String(error.code) : String(error) };
  }
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir)
      .sort()
      .map((name) => join(dir, name))
      .filter((path) => statSync(path).isDirectory());
  } catch {
    return [];
  }
}

function readRun(path: string, shown: string): RehearsalRecord | string | undefined {
  const manifest = readJson(join(path, 'manifest.json'));
  if (!manifest.ok) return `${shown}: skipped: manifest.json is ${manifest.why}`;
  const kind = manifestFields.safeParse(manifest.value);
  if (!kind.success) return `${shown}: skipped: manifest.json has no kind`;
  if (kind.data.kind !== 'rehearsal') return undefined;
  if (!existsSync(join(path, 'journal.json'))) return `${shown}: skipped: no journal.json (the rehearsal was killed before its end, or is still running)`;
  const journal = readJson(join(path, 'journal.json'));
  if (!journal.ok) return `${shown}: skipped: journal.json is ${journal.why}`;
  const fields = journalFields.safeParse(journal.value);
  if (!fields.success) return `${shown}: skipped: journal.json lacks ${fields.error.issues.map((issue) => issue.path.join('.')).join(', ')}`;
  return { sop: fields.data.sop.id, status: fields.data.status, endedAt: fields.data.ended_at, dir: shown };
}

/** Every rehearsal under `runsDir` (relative to `cwd`); a missing folder is an empty history, said in a note. */
export function readRehearsalHistory(runsDir: string, cwd: string): RehearsalHistory {
  const root = resolve(cwd, runsDir);
  const show = (path: string): string => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') ? path : rel;
  };
  if (!existsSync(root) || !statSync(root).isDirectory()) return { rehearsals: [], notes: [`${runsDir}: no such directory: no rehearsal was found, so every SOP counts as never rehearsed`] };
  const rehearsals: RehearsalRecord[] = [];
  const notes: string[] = [];
  const visit = (path: string): void => {
    const run = existsSync(join(path, 'manifest.json')) ? readRun(path, show(path)) : undefined;
    if (typeof run === 'string') notes.push(run);
    else if (run !== undefined) rehearsals.push(run);
  };
  // `--runs` may name one run directory itself.
  visit(root);
  for (const child of subdirectories(root)) {
    visit(child);
    for (const grandchild of subdirectories(child)) visit(grandchild);
  }
  return { rehearsals, notes };
}
