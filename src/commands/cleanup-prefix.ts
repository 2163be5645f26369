import { DEFAULT_SHADOW_PREFIX } from '../shadow/storage-name.js';

const SEPARATORS = new Set([':', '_', '-', '.', '/', '|', '#', '}']);
const SHADOW_LOOKING = /shadow|pt_|test|perf/i;

/** Why deleting everything under `prefix` may hit production keys, or undefined when it looks like a shadow prefix. */
export function riskyPrefixReason(prefix: string): string | undefined {
  const quoted = JSON.stringify(prefix);
  if (!SEPARATORS.has(prefix.slice(-1))) {
    const longer = JSON.stringify(`${prefix}XYZ`).slice(1, -1);
    return `--prefix ${quoted} has no separator at its end, so it also matches ${longer}: give ${JSON.stringify(`${prefix}:`)} (or --force)`;
  }
  if (prefix !== DEFAULT_SHADOW_PREFIX && !SHADOW_LOOKING.test(prefix)) {
    return `--prefix ${quoted} does not look like a shadow prefix (no shadow, pt_, test or perf in it), and every key under it would be deleted: see what it catches with --dry-run, then delete with --force`;
  }
  return undefined;
}

/** The `shadow cleanup` command that removes a store's shadow keys, as a user would type it. */
export function cleanupCommand(store: { where: string; prefix: string }): string {
  const force = riskyPrefixReason(store.prefix) === undefined ? '' : ' --force';
  return `live-assure shadow cleanup --redis ${store.where} --prefix '${store.prefix}'${force}`;
}
