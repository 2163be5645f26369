/** Errors the shadow library raises inside a user's service; `code` is stable for alerting on. */
export class ShadowError extends Error {
  readonly code: 'shadow_not_ready' | 'shadow_unroutable' | 'shadow_leak';

  constructor(code: ShadowError['code'], message: string) {
    super(message);
    this.name = 'ShadowError';
    this.code = code;
  }
}

/** A shadow request or command arrived while shadow routing is off: refused, never served from production. */
export function shadowNotReady(where: string, runId: string): ShadowError {
  return new ShadowError(
    'shadow_not_ready',
    `shadow routing is not enabled on ${where}: shadow traffic of run ${runId} is refused rather than served from production storage`,
  );
}
