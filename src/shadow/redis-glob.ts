/**
 * Escapes text for a Redis glob (`SCAN MATCH`, `KEYS`): `*`, `?`, `[`, `]` and `\` lose their
 * meaning, so `escapeRedisGlob(prefix) + '*'` matches exactly the keys that start with `prefix`.
 */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
