import type { TokenSearch } from './redis-token-search.js';

/** One place a run's token was found where it must not be. */
export interface LeakHit {
  store: string;
  key: string;
  type: string;
  token: string;
  where: string;
  excerpt: string;
  /** The step whose write carried the token, when known. */
  step?: string;
}

export function leakHits(store: string, search: TokenSearch, step?: string): LeakHit[] {
  return search.found.map((hit) => ({ store, key: search.key, type: search.type, token: hit.token, where: hit.where, excerpt: hit.excerpt, ...(step === undefined ? {} : { step }) }));
}

/** `danmaku:7 (list, list element 0): la~run~12.0 in {"msg":"…"}` — one line of evidence. */
export function describeHit(hit: LeakHit): string {
  const from = hit.step === undefined ? '' : `${hit.step} wrote `;
  return `${from}${hit.token} into production key ${hit.key} (${hit.type}, ${hit.where}) of store ${hit.store}: ${JSON.stringify(hit.excerpt)}`;
}
