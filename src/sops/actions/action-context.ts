/** What every SOP action is given, and what it gives back for the journal, the JUnit file and the screen. */

export interface ActionContext {
  /** Base URL that paths in http calls are joined to (the target platform's gateway). */
  target: string;
  /** Redis for redis steps that give no url (the demo platform's own), if known. */
  defaultRedisUrl?: string;
  /** Shell commands run here (the SOP file's directory). */
  cwd: string;
  /** Environment for shell commands. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C / abort: waits and polls stop at once, shell children are killed. */
  signal: AbortSignal;
  /** A person to ask (TTY); undefined in CI / off a TTY: manual steps take their default. Resolves undefined when not answered. */
  ask?: (prompt: string, timeoutMs: number, signal: AbortSignal) => Promise<'continue' | 'abort' | undefined>;
  /** Masks secrets (values that came from ${env:…}) in anything that will be printed or stored. */
  redact: (text: string) => string;
}

export interface ActionOutcome {
  ok: boolean;
  /** One line, redacted: what was done and what came back, e.g. `PUT /admin/flags/room-info-local-cache → 200` or `expected status 200, got 503 (PUT /admin/…)`; on failure it states measured vs expected. */
  summary: string;
  /** Step output for the journal and JUnit system-out: response body / shell stdout+stderr, truncated to 4 KiB, redacted. */
  output?: string;
  /** performance.now() at start and end. */
  startedAt: number;
  endedAt: number;
  /** A manual step answered `abort` (or its default was abort). */
  abort?: boolean;
}
