import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServers } from '../helpers/close-servers.js';
import {
  currentShadowTag,
  isShadow,
  runInShadow,
  shadowMiddleware,
  ShadowSwitch,
  withShadowContext,
  type ConnectMiddleware,
  type ShadowMiddlewareOptions,
  type ShadowTag,
} from '../../src/shadow/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
/** What the handler saw at each point: the run id, or null for production. */
type Seen = Record<string, string | null>;

const servers: Server[] = [];
let agent: Agent;
let routing: ShadowSwitch;

beforeEach(() => {
  agent = new Agent({ connections: 8 });
  routing = new ShadowSwitch(true);
});
afterEach(async () => {
  await agent.close();
  await closeServers(servers);
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

const run = (): string | null => currentShadowTag()?.runId ?? null;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** A body that arrives in several chunks, each after the handler has long returned. */
function slowBody(parts: string[]): Readable {
  return Readable.from(
    (async function* chunks(): AsyncGenerator<string> {
      for (const part of parts) {
        await sleep(15);
        yield part;
      }
    })(),
  );
}

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(url: string, options: { method?: 'GET' | 'POST'; headers?: Record<string, string> | string[]; body?: Readable | string } = {}): Promise<Sent> {
  const response = await request(url, { dispatcher: agent, method: options.method ?? 'GET', headers: options.headers, body: options.body });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/**
 * A handler that notes the context at every point a request's work can continue from: the
 * handler itself, after awaits, timers, setImmediate, an emitter created in the request, the
 * request body's `data`/`end` listeners and the response's `finish`.
 */
function observingHandler(finished: (seen: Seen) => void): Handler {
  return (req, res) => {
    const seen: Seen = { handler: run() };
    res.on('finish', () => finished({ ...seen, finish: run() }));
    const body = new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        seen[`data#${Object.keys(seen).filter((key) => key.startsWith('data#')).length}`] = run();
        text += chunk.toString();
      });
      req.on('end', () => {
        seen['end'] = run();
        resolve(text);
      });
    });
    const asyncWork = (async () => {
      await Promise.resolve();
      seen['after await'] = run();
      await sleep(2);
      seen['after timer await'] = run();
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen['setTimeout'] = run();
          resolve();
        }, 1),
      );
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen['setImmediate'] = run();
          resolve();
        }),
      );
      const emitter = new EventEmitter();
      const emitted = new Promise<void>((resolve) =>
        emitter.on('tick', () => {
          seen['emitter'] = run();
          resolve();
        }),
      );
      setTimeout(() => emitter.emit('tick'), 1);
      await emitted;
    })();
    void Promise.all([body, asyncWork]).then(([text]) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ body: text, seen }));
    });
  };
}

function expectEverywhere(seen: Seen, expected: string | null, dataEvents: number): void {
  const points = ['handler', 'after await', 'after timer await', 'setTimeout', 'setImmediate', 'emitter', 'end', 'finish'];
  for (let index = 0; index < dataEvents; index++) points.push(`data#${index}`);
  expect(Object.keys(seen).sort()).toEqual(points.sort());
  for (const point of points) expect({ point, run: seen[point] }).toEqual({ point, run: expected });
}

describe('shadowMiddleware over loopback HTTP', () => {
  async function observe(headers: Record<string, string> | string[] | undefined, body?: Readable): Promise<{ sent: Sent; seen: Seen }> {
    const finish = deferred<Seen>();
    const url = await serve(withShadowContext({ routing, service: 'room-svc' }, observingHandler(finish.resolve)));
    const sent = await send(url, { method: body === undefined ? 'GET' : 'POST', headers, body });
    return { sent, seen: await finish.promise };
  }

  it('runs a production request with no tag anywhere, and sends no echo header', async () => {
    const { sent, seen } = await observe({ 'x-request-id': '1' }, slowBody(['a', 'b', 'c']));
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text).body).toBe('abc');
    expect(sent.headers['x-live-assure-shadow']).toBeUndefined();
    expectEverywhere(seen, null, 3);
  });

  it('keeps the tag from the header through awaits, timers, emitters, body data/end listeners and finish', async () => {
    const { sent, seen } = await observe({ 'x-live-assure-shadow': 'run-h' }, slowBody(['one', 'two', 'three']));
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text).body).toBe('onetwothree');
    expect(sent.headers['x-live-assure-shadow']).toBe('run-h');
    expectEverywhere(seen, 'run-h', 3);
  });

  it('keeps the tag from baggage (among other members) everywhere too', async () => {
    const { sent, seen } = await observe({ baggage: 'userId=alice;p=1, live-assure-shadow=run-b ,lt-scene=s15' }, slowBody(['x', 'y']));
    expect(sent.status).toBe(200);
    expect(sent.headers['x-live-assure-shadow']).toBe('run-b');
    expectEverywhere(seen, 'run-b', 2);
  });

  it('reads the tag from several baggage headers on the wire', async () => {
    const { sent, seen } = await observe(['baggage', 'a=1', 'baggage', 'live-assure-shadow=run-m', 'baggage', 'b=2']);
    expect(sent.status).toBe(200);
    expectEverywhere(seen, 'run-m', 0);
  });

  it('keeps the tag in a GET handler that reads no body', async () => {
    const finish = deferred<Seen>();
    const url = await serve(
      withShadowContext({ routing }, (_req, res) => {
        const seen: Seen = { handler: run() };
        res.on('finish', () => finish.resolve({ ...seen, finish: run() }));
        setTimeout(() => {
          seen['setTimeout'] = run();
          res.end(JSON.stringify(seen));
        }, 1);
      }),
    );
    const sent = await send(url, { headers: { 'x-live-assure-shadow': 'run-g' } });
    expect(JSON.parse(sent.text)).toEqual({ handler: 'run-g', setTimeout: 'run-g' });
    expect(await finish.promise).toEqual({ handler: 'run-g', setTimeout: 'run-g', finish: 'run-g' });
  });

  it('keeps a production request production on a keep-alive socket that just served shadow requests', async () => {
    const single = new Agent({ connections: 1, pipelining: 1 });
    const sockets: (number | undefined)[] = [];
    const finishes: Seen[] = [];
    const url = await serve(
      withShadowContext({ routing }, (req, res) => {
        sockets.push(req.socket.remotePort);
        observingHandler((seen) => finishes.push(seen))(req, res);
      }),
    );
    try {
      const sendOn = async (headers: Record<string, string>): Promise<Seen> => {
        const response = await request(url, { dispatcher: single, method: 'POST', headers, body: slowBody(['1', '2']) });
        return (JSON.parse(await response.body.text()) as { seen: Seen }).seen;
      };
      const first = await sendOn({ 'x-live-assure-shadow': 'run-k' });
      const second = await sendOn({});
      const third = await sendOn({ baggage: 'live-assure-shadow=run-l' });
      expect(new Set(sockets).size).toBe(1);
      expect(Object.values(first).every((value) => value === 'run-k')).toBe(true);
      expect(Object.values(second).every((value) => value === null)).toBe(true);
      expect(Object.values(third).every((value) => value === 'run-l')).toBe(true);
      expect(Object.keys(second)).toContain('data#1');
    } finally {
      await single.close();
    }
  });

  it('never lets 50 interleaved requests of different runs and production see each other’s tag', async () => {
    const url = await serve(
      withShadowContext({ routing }, (req, res) => {
        const delay = Number(req.headers['x-delay']);
        const seen: Seen = { handler: run() };
        let text = '';
        req.on('data', (chunk: Buffer) => {
          seen['data'] = run();
          text += chunk.toString();
        });
        req.on('end', async () => {
          seen['end'] = run();
          await sleep(delay);
          seen['after await'] = run();
          setTimeout(() => {
            seen['setTimeout'] = run();
            res.end(JSON.stringify({ body: text, seen }));
          }, delay % 5);
        });
      }),
    );
    // Deterministic pseudo-random delays, so a failure can be replayed.
    let state = 12345;
    const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const runs = [null, 'run-a', 'run-b', 'run-c'] as const;
    const requests = Array.from({ length: 50 }, (_, index) => {
      const runId = runs[index % runs.length] ?? null;
      const headers: Record<string, string> = { 'x-delay': String(next() % 25) };
      if (runId !== null) {
        if (index % 3 === 0) headers['baggage'] = `live-assure-shadow=${runId},n=${index}`;
        else headers['x-live-assure-shadow'] = runId;
      }
      return { runId, index, headers };
    });
    const results = await Promise.all(
      requests.map(async ({ runId, index, headers }) => {
        const sent = await send(url, { method: 'POST', headers, body: slowBody([`req-${index}`]) });
        return { runId, index, sent };
      }),
    );
    for (const { runId, index, sent } of results) {
      const { body, seen } = JSON.parse(sent.text) as { body: string; seen: Seen };
      expect(body).toBe(`req-${index}`);
      expect(seen).toEqual({ handler: runId, data: runId, end: runId, 'after await': runId, setTimeout: runId });
      expect(sent.headers['x-live-assure-shadow']).toBe(runId ?? undefined);
    }
  });
});

describe('refusals', () => {
  function countingServer(options: ShadowMiddlewareOptions): { calls: () => number; handler: Handler } {
    let calls = 0;
    return {
      calls: () => calls,
      handler: withShadowContext(options, (_req, res) => {
        calls++;
        res.end('served');
      }),
    };
  }

  it('answers 503 shadow_not_ready, naming the service and the run, without calling the handler, when routing is off', async () => {
    routing.set(false);
    const { calls, handler } = countingServer({ routing, service: 'gift-svc' });
    const url = await serve(handler);
    for (const headers of [{ 'x-live-assure-shadow': 'run-1' }, { baggage: 'live-assure-shadow=run-1' }] as Record<string, string>[]) {
      const sent = await send(url, { headers });
      expect(sent.status).toBe(503);
      expect(sent.headers['content-type']).toBe('application/json');
      const body = JSON.parse(sent.text) as { error: string; message: string };
      expect(body.error).toBe('shadow_not_ready');
      expect(body.message).toContain('gift-svc');
      expect(body.message).toContain('run-1');
      expect(Object.keys(body).sort()).toEqual(['error', 'message']);
      expect(sent.headers['x-live-assure-shadow']).toBeUndefined();
    }
    expect(calls()).toBe(0);
  });

  it('still serves production while routing is off, and serves shadow again once it is turned on', async () => {
    routing.set(false);
    const { calls, handler } = countingServer({ routing });
    const url = await serve(handler);
    expect((await send(url)).status).toBe(200);
    expect(calls()).toBe(1);
    expect((await send(url, { headers: { 'x-live-assure-shadow': 'run-1' } })).status).toBe(503);
    expect(calls()).toBe(1);
    routing.set(true);
    expect((await send(url, { headers: { 'x-live-assure-shadow': 'run-1' } })).text).toBe('served');
    expect(calls()).toBe(2);
    routing.set(false);
    expect((await send(url, { headers: { 'x-live-assure-shadow': 'run-1' } })).status).toBe(503);
    expect(calls()).toBe(2);
  });

  it('names "this service" when no service name is given', async () => {
    routing.set(false);
    const url = await serve(countingServer({ routing }).handler);
    const sent = await send(url, { headers: { 'x-live-assure-shadow': 'run-z' } });
    expect((JSON.parse(sent.text) as { message: string }).message).toMatch(/this service.*run-z|run-z.*this service/);
  });

  it.each([
    ['a malformed header', { 'x-live-assure-shadow': 'not a run' }, /not a run id/],
    ['a malformed baggage member', { baggage: 'live-assure-shadow=%2Frun' }, /not a run id/],
    ['an empty header', { 'x-live-assure-shadow': '' }, /not a run id/],
    ['header and baggage that disagree', { 'x-live-assure-shadow': 'run-1', baggage: 'live-assure-shadow=run-2' }, /run-2.*run-1/],
  ])('answers 400 shadow_tag_invalid for %s, without calling the handler', async (_name, headers, reason) => {
    const { calls, handler } = countingServer({ routing, service: 'chat-svc' });
    const url = await serve(handler);
    const sent = await send(url, { headers });
    expect(sent.status).toBe(400);
    const body = JSON.parse(sent.text) as { error: string; message: string };
    expect(body.error).toBe('shadow_tag_invalid');
    expect(body.message).toContain('chat-svc');
    expect(body.message).toMatch(reason);
    expect(calls()).toBe(0);
  });

  it('refuses an invalid tag even when routing is off (never serves it as production)', async () => {
    routing.set(false);
    const { calls, handler } = countingServer({ routing });
    const url = await serve(handler);
    expect((await send(url, { headers: { 'x-live-assure-shadow': 'bad run' } })).status).toBe(400);
    expect(calls()).toBe(0);
  });
});

describe('options', () => {
  async function tagSeenWith(options: Partial<ShadowMiddlewareOptions>, headers: Record<string, string>): Promise<Sent> {
    const url = await serve(withShadowContext({ routing, ...options }, (_req, res) => res.end(JSON.stringify({ run: run() }))));
    return send(url, { headers });
  }

  it('reads and echoes a custom header, and then ignores the default header', async () => {
    const tagged = await tagSeenWith({ header: 'X-PT-Run' }, { 'x-pt-run': 'run-c' });
    expect(JSON.parse(tagged.text)).toEqual({ run: 'run-c' });
    expect(tagged.headers['x-pt-run']).toBe('run-c');
    expect(tagged.headers['x-live-assure-shadow']).toBeUndefined();

    const defaultHeader = await tagSeenWith({ header: 'x-pt-run' }, { 'x-live-assure-shadow': 'run-c' });
    expect(JSON.parse(defaultHeader.text)).toEqual({ run: null });
  });

  it('still reads baggage with a custom header, echoing under the custom name', async () => {
    const sent = await tagSeenWith({ header: 'x-pt-run' }, { baggage: 'live-assure-shadow=run-d' });
    expect(JSON.parse(sent.text)).toEqual({ run: 'run-d' });
    expect(sent.headers['x-pt-run']).toBe('run-d');
  });

  it('does not echo when echo is false, but still opens the context', async () => {
    const sent = await tagSeenWith({ echo: false }, { 'x-live-assure-shadow': 'run-e' });
    expect(JSON.parse(sent.text)).toEqual({ run: 'run-e' });
    expect(sent.headers['x-live-assure-shadow']).toBeUndefined();
  });
});

describe('as connect/express-style middleware', () => {
  /** The smallest express-like app: layers called in order, each handing on with next(). */
  function app(...layers: ConnectMiddleware[]): Handler {
    return (req, res) => {
      const step =
        (index: number) =>
        (error?: unknown): void => {
          const layer = layers[index];
          if (error !== undefined || layer === undefined) {
            res.statusCode = error === undefined ? 404 : 500;
            res.end();
            return;
          }
          layer(req, res, step(index + 1));
        };
      step(0)();
    };
  }

  /** Like body-parser: reads the whole body, then calls next() from the request's `end` event. */
  const bodyParser: ConnectMiddleware = (req, _res, next) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      (req as IncomingMessage & { body?: string }).body = text;
      next();
    });
  };

  it('opens the context for the later layers, also when a body parser calls next() from `end`', async () => {
    const url = await serve(
      app(shadowMiddleware({ routing, service: 'svc' }), bodyParser, async (req, res) => {
        const before = run();
        await sleep(1);
        res.end(JSON.stringify({ before, after: run(), shadow: isShadow(), body: (req as IncomingMessage & { body?: string }).body }));
      }),
    );
    const shadowSent = await send(url, { method: 'POST', headers: { 'x-live-assure-shadow': 'run-x' }, body: slowBody(['p', 'q']) });
    expect(JSON.parse(shadowSent.text)).toEqual({ before: 'run-x', after: 'run-x', shadow: true, body: 'pq' });
    const productionSent = await send(url, { method: 'POST', body: slowBody(['p']) });
    expect(JSON.parse(productionSent.text)).toEqual({ before: null, after: null, shadow: false, body: 'p' });
  });

  it('does not call next() for refused requests', async () => {
    routing.set(false);
    let reached = false;
    const url = await serve(
      app(shadowMiddleware({ routing }), (_req, res) => {
        reached = true;
        res.end();
      }),
    );
    expect((await send(url, { headers: { 'x-live-assure-shadow': 'run-1' } })).status).toBe(503);
    expect((await send(url, { headers: { 'x-live-assure-shadow': '??' } })).status).toBe(400);
    expect(reached).toBe(false);
  });

  it('runs a production request as production even when the middleware is called from inside a shadow context', async () => {
    const tag: ShadowTag = { runId: 'outer', via: 'header' };
    const middleware = shadowMiddleware({ routing });
    const url = await serve((req, res) =>
      runInShadow(tag, () =>
        middleware(req, res, () => {
          res.end(JSON.stringify({ run: run() }));
        }),
      ),
    );
    expect(JSON.parse((await send(url)).text)).toEqual({ run: null });
    expect(JSON.parse((await send(url, { headers: { 'x-live-assure-shadow': 'inner' } })).text)).toEqual({ run: 'inner' });
  });

  // BUG (src/shadow/http-middleware.ts:32-34): the production branch only wraps the synchronous
  // next() in runAsProduction and does not bind the request/response emitters, so `data`/`end`/
  // `finish` listeners of a production request run in the socket's context. When the server (and
  // so its sockets) was started inside a shadow context, production body handling runs as SHADOW.
  it('keeps body listeners of a production request production when the server was started inside a shadow context', async () => {
    const finish = deferred<Seen>();
    const url = await runInShadow({ runId: 'outer', via: 'header' }, () =>
      serve(withShadowContext({ routing }, observingHandler(finish.resolve))),
    );
    const sent = await send(url, { method: 'POST', body: slowBody(['a', 'b']) });
    expect(sent.status).toBe(200);
    expectEverywhere(await finish.promise, null, 2);
  });
});

describe('withShadowContext and failing handlers', () => {
  it('answers 500 and reports the error when an async handler rejects, instead of crashing', async () => {
    const reported: unknown[] = [];
    const url = await serve(
      withShadowContext({ routing, onError: (error) => reported.push(error) }, async () => {
        await sleep(1);
        throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
      }),
    );
    const response = await request(url, { dispatcher: agent, headers: { 'x-live-assure-shadow': 'run-1' } });
    expect(response.statusCode).toBe(500);
    expect(await response.body.json()).toEqual({ error: 'internal', message: 'the request failed' });
    expect(reported).toEqual([new Error('WRONGTYPE Operation against a key holding the wrong kind of value')]);
  });
});
