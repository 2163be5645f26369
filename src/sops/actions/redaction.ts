/** Secrets reach an SOP as `${env:NAME}`; whatever a step prints or stores shows them as `***`. */

const MASK = '***';
// Masking a 1–3 character value would shred ordinary text ("on", "1") and hide nothing worth hiding.
const MIN_SECRET_LENGTH = 4;
const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

/** A redactor that masks each of these secret values (ignore empty and very short ones, < 4 chars) as `***`. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // A secret may come back escaped: in a JSON body (quotes, backslashes) or a URL (percent-encoded).
  const forms = new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH).flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]));
  // Longest first, so a secret that contains another is masked whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((masked, secret) => masked.split(secret).join(MASK), text);
}

/** The values of the environment variables an SOP text references as ${env:NAME} or ${env:NAME:-default} (non-empty ones). */
export function referencedSecrets(text: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const match of text.matchAll(ENV_REFERENCE)) {
    const value = env[match[1] ?? ''];
    if (value !== undefined && value !== '') values.add(value);
  }
  return [...values];
}
