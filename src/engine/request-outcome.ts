/** How one request ended, as the engine classifies it. */
export const ERROR_KINDS = ['timeout', 'refused', 'reset', 'http_4xx', 'http_5xx', 'check_failed', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface RequestOutcome {
  /** The step (endpoint) name the request belongs to. */
  endpoint: string;
  /** When the schedule meant the request to be sent, ms on the run clock: latency counts from here. */
  intendedAt: number;
  /** When the response ended (or the request failed), ms on the run clock. */
  finishedAt: number;
  /** HTTP status, when a response came. */
  status?: number;
  error?: ErrorKind;
}
