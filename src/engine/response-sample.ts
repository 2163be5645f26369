import type { HttpResponse } from './http-transport.js';

/** One finished request of a sampled step, as a rehearsal checks response content over a share of them. */
export interface ResponseSample {
  /** Step (endpoint) name. */
  endpoint: string;
  /** Run second the request was meant to start in (floor(intendedAt / 1000)), the same second index the interval records use. */
  second: number;
  /** null when no response came (transport error or timeout). */
  status: number | null;
  /** Only the header names the plan asked for, lower-cased names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  /** The body (first 4 KiB, decoded utf8) when the plan asked for bodies. */
  body?: string;
}

/** What to keep of a step's responses: these headers (any case), and the body or not. */
export interface ResponseSampling {
  headers: readonly string[];
  body: boolean;
}

const BODY_BYTES = 4096;
const CONTINUATION_MASK = 0xc0;
const CONTINUATION = 0x80;

/** The first 4 KiB of a body, cut before a character that would not fit whole. */
function bodyStart(body: string): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: a short body needs no encoding to know it fits.
  if (body.length * 3 <= BODY_BYTES) return body;
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= BODY_BYTES) return body;
  let cut = BODY_BYTES;
  while (cut > 0 && ((bytes[cut] ?? 0) & CONTINUATION_MASK) === CONTINUATION) cut -= 1;
  return bytes.toString('utf8', 0, cut);
}

/** The sample of a request meant for `intendedAt` (run-clock ms) that ended with `response`, or with none. */
export function responseSample(endpoint: string, intendedAt: number, response: HttpResponse | undefined, withBody: boolean): ResponseSample {
  const sample: ResponseSample = { endpoint, second: Math.floor(intendedAt / 1000), status: response?.status ?? null, headers: response?.headers ?? {} };
  if (withBody && response?.body !== undefined) sample.body = bodyStart(response.body);
  return sample;
}
