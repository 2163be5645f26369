import { Agent, type Dispatcher } from 'undici';
import { setBaggageMember } from './baggage.js';
import { currentShadowTag } from './shadow-context.js';
import { DEFAULT_SHADOW_HEADER, SHADOW_BAGGAGE_KEY } from './shadow-tag.js';

export interface ShadowPropagationOptions {
  /** The tag header to send (default `x-live-assure-shadow`). */
  header?: string;
  /** Also set the W3C baggage member, for hops that only carry baggage (default true). */
  baggage?: boolean;
}

/**
 * An undici interceptor: requests dispatched inside a shadow context carry the tag to the next
 * hop, as the header and as a baggage member. Production requests are sent untouched.
 * Use it with `dispatcher.compose(shadowPropagation())`.
 */
export function shadowPropagation(options: ShadowPropagationOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  const header = (options.header ?? DEFAULT_SHADOW_HEADER).toLowerCase();
  const withBaggage = options.baggage ?? true;
  return (dispatch) => (request, handler) => {
    const tag = currentShadowTag();
    if (tag === undefined) return dispatch(request, handler);
    const headers = headerRecord(request.headers);
    headers[header] = tag.runId;
    if (withBaggage) headers['baggage'] = setBaggageMember(headers['baggage'], SHADOW_BAGGAGE_KEY, tag.runId);
    return dispatch({ ...request, headers }, handler);
  };
}

/** An undici Agent whose requests propagate the shadow tag; pass it as `dispatcher` to `request`/`fetch`. */
export function createShadowAgent(options: ShadowPropagationOptions = {}, agentOptions: Agent.Options = {}): Dispatcher {
  return new Agent(agentOptions).compose(shadowPropagation(options));
}

/** undici accepts headers as a record, a flat `[name, value, …]` array or an iterable of pairs. */
function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    const key = String(name).toLowerCase();
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    record[key] = record[key] === undefined ? text : `${record[key]}, ${text}`;
  };
  if (headers === undefined || headers === null) return record;
  if (Array.isArray(headers)) {
    for (let index = 0; index + 1 < headers.length; index += 2) add(headers[index], headers[index + 1]);
    return record;
  }
  if (Symbol.iterator in headers) {
    for (const [name, value] of headers) add(name, value);
    return record;
  }
  for (const [name, value] of Object.entries(headers)) add(name, value);
  return record;
}
