/** A signal for work that must finish even after an interrupt: rollback and fault removal follow a Ctrl-C. */
export function neverAborted(): AbortSignal {
  return new AbortController().signal;
}
