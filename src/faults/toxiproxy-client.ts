import type { ProxyInput, ToxicInput } from './proxy-model.js';

/** A toxic as a Toxiproxy server reports it; `type` and `attributes` are open, since a real server may know toxics we do not. */
export interface ToxiproxyToxic {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
}

export interface ToxiproxyProxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxiproxyToxic[];
}

/** A request Toxiproxy refused (`status` is its HTTP status) or never answered (`status` is null: unreachable, timed out). */
export class ToxiproxyError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
    /** `POST /proxies/redis/toxics`, to say which call failed. */
    readonly request: string,
  ) {
    super(message);
    this.name = 'ToxiproxyError';
  }
}

/** The calls a rehearsal makes on a Toxiproxy (or on `live-assure proxy`): set up proxies, inject and remove faults. */
export interface ToxiproxyClient {
  readonly url: string;
  /** The server's version: `2.12.0` from a real Toxiproxy. */
  version(): Promise<string>;
  proxies(): Promise<Record<string, ToxiproxyProxy>>;
  /** Creates or replaces these proxies (a proxy whose listen and upstream are unchanged is left alone). */
  populate(proxies: readonly ProxyInput[]): Promise<ToxiproxyProxy[]>;
  createProxy(input: ProxyInput): Promise<ToxiproxyProxy>;
  getProxy(name: string): Promise<ToxiproxyProxy>;
  updateProxy(name: string, changes: Partial<Omit<ProxyInput, 'name'>>): Promise<ToxiproxyProxy>;
  deleteProxy(name: string): Promise<void>;
  /** Toxiproxy's "down": disabling stops listening and closes every open connection. */
  disable(name: string): Promise<ToxiproxyProxy>;
  enable(name: string): Promise<ToxiproxyProxy>;
  addToxic(proxy: string, toxic: ToxicInput): Promise<ToxiproxyToxic>;
  /** Changes `toxicity` and/or attributes; Toxiproxy keeps a toxic's name, type and stream. */
  updateToxic(proxy: string, toxic: string, changes: { toxicity?: number; attributes?: Record<string, unknown> }): Promise<ToxiproxyToxic>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  /** Re-enables every proxy and removes every toxic. */
  reset(): Promise<void>;
}

export interface ToxiproxyClientOptions {
  /** Per request (default 30 s, as Toxiproxy's Go client). */
  timeoutMs?: number;
  userAgent?: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A client for the Toxiproxy API at `url` (e.g. `http://127.0.0.1:8474`), over the global fetch. */
export function createToxiproxyClient(url: string, options: ToxiproxyClientOptions = {}): ToxiproxyClient {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'live-assure';

  const send = async (method: Method, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const request = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { 'user-agent': userAgent, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ToxiproxyError(null, `Toxiproxy at ${base} did not answer ${request}: ${describeFetchError(error, timeoutMs)}`, request);
    }
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { status: response.status, text };
    throw new ToxiproxyError(response.status, errorMessage(response.status, text), request);
  };
  const json = async (method: Method, path: string, body?: unknown): Promise<unknown> => {
    const { text } = await send(method, path, body);
    try {
      return JSON.parse(text);
    } catch {
      throw new ToxiproxyError(null, `Toxiproxy at ${base} answered ${method} ${path} with something other than JSON: ${text.slice(0, 200)}`, `${method} ${path}`);
    }
  };
  // PATCH since Toxiproxy 2.6; older servers know only POST and answer PATCH with 405.
  const update = async (path: string, body: unknown): Promise<unknown> => {
    try {
      return await json('PATCH', path, body);
    } catch (error) {
      if (error instanceof ToxiproxyError && error.status === 405) return json('POST', path, body);
      throw error;
    }
  };
  const proxyPath = (name: string): string => `/proxies/${encodeURIComponent(name)}`;
  const toxicPath = (proxy: string, toxic: string): string => `${proxyPath(proxy)}/toxics/${encodeURIComponent(toxic)}`;

  return {
    url: base,
    async version() {
      const { text } = await send('GET', '/version');
      return parseVersion(text);
    },
    async proxies() {
      const body = await json('GET', '/proxies');
      if (!isRecord(body)) throw shapeError('GET /proxies', 'an object of proxies');
      return Object.fromEntries(Object.entries(body).map(([name, proxy]) => [name, readProxy(proxy, 'GET /proxies')]));
    },
    async populate(proxies) {
      const body = await json('POST', '/populate', proxies);
      const list = isRecord(body) ? body['proxies'] : undefined;
      if (!Array.isArray(list)) throw shapeError('POST /populate', '{"proxies": [...]}');
      return list.map((proxy: unknown) => readProxy(proxy, 'POST /populate'));
    },
    async createProxy(input) {
      return readProxy(await json('POST', '/proxies', input), 'POST /proxies');
    },
    async getProxy(name) {
      return readProxy(await json('GET', proxyPath(name)), `GET ${proxyPath(name)}`);
    },
    async updateProxy(name, changes) {
      return readProxy(await update(proxyPath(name), changes), `PATCH ${proxyPath(name)}`);
    },
    async deleteProxy(name) {
      await send('DELETE', proxyPath(name));
    },
    async disable(name) {
      return readProxy(await update(proxyPath(name), { enabled: false }), `PATCH ${proxyPath(name)}`);
    },
    async enable(name) {
      return readProxy(await update(proxyPath(name), { enabled: true }), `PATCH ${proxyPath(name)}`);
    },
    async addToxic(proxy, toxic) {
      return readToxic(await json('POST', `${proxyPath(proxy)}/toxics`, toxic), `POST ${proxyPath(proxy)}/toxics`);
    },
    async updateToxic(proxy, toxic, changes) {
      return readToxic(await update(toxicPath(proxy, toxic), changes), `PATCH ${toxicPath(proxy, toxic)}`);
    },
    async removeToxic(proxy, toxic) {
      await send('DELETE', toxicPath(proxy, toxic));
    },
    async reset() {
      await send('POST', '/reset');
    },
  };
}

/** `{"version": "2.12.0"}` from Toxiproxy ≥ 2.7, the bare version from older ones. */
function parseVersion(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed['version'] === 'string') return parsed['version'];
  } catch {
    // Not JSON: an older server's plain text.
  }
  return text.trim();
}

/** Toxiproxy's `{"error", "status"}` (`{"title", ...}` before 2.1), or the plain text of its 403 and 404. */
function errorMessage(status: number, text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) {
      const message = parsed['error'] ?? parsed['title'];
      if (typeof message === 'string') return message;
    }
  } catch {
    // Plain text.
  }
  const trimmed = text.trim();
  return trimmed === '' ? `HTTP ${status}` : trimmed.slice(0, 200);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code === undefined || message.includes(code) ? message : `${code} ${message}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeError(request: string, expected: string): ToxiproxyError {
  return new ToxiproxyError(null, `unexpected answer to ${request}: expected ${expected}`, request);
}

function readProxy(value: unknown, request: string): ToxiproxyProxy {
  if (!isRecord(value)) throw shapeError(request, 'a proxy object');
  const { name, listen, upstream, enabled, toxics } = value;
  if (typeof name !== 'string' || typeof listen !== 'string' || typeof upstream !== 'string' || typeof enabled !== 'boolean') {
    throw shapeError(request, 'a proxy with name, listen, upstream and enabled');
  }
  // Go marshals an empty toxic list as [] but a nil one as null.
  const list = toxics === null || toxics === undefined ? [] : toxics;
  if (!Array.isArray(list)) throw shapeError(request, 'a list of toxics');
  return { name, listen, upstream, enabled, toxics: list.map((toxic: unknown) => readToxic(toxic, request)) };
}

function readToxic(value: unknown, request: string): ToxiproxyToxic {
  if (!isRecord(value)) throw shapeError(request, 'a toxic object');
  const { name, type, stream, toxicity, attributes } = value;
  if (typeof name !== 'string' || typeof type !== 'string' || typeof stream !== 'string' || typeof toxicity !== 'number') {
    throw shapeError(request, 'a toxic with name, type, stream and toxicity');
  }
  return { name, type, stream, toxicity, attributes: isRecord(attributes) ? attributes : {} };
}
