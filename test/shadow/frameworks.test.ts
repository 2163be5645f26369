/**
 * The shadow middleware in real frameworks, over loopback HTTP: express 5 (`app.use`, with
 * `express.json()` reading the body) and fastify 5 (an `onRequest` hook on `request.raw`/`reply.raw`,
 * with fastify's own JSON parser reading the body). The body is read from stream events fired by
 * the socket, after the middleware has returned — the case where a tag is most easily lost.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentShadowTag, shadowMiddleware, ShadowSwitch } from '../../src/shadow/index.js';

/** What the app saw at each point of a request: the run id, or null for production. */
type Seen = Record<string, string | null>;

const run = (): string | null => currentShadowTag()?.runId ?? null;

/** Each request's observations, kept on the node:http request both frameworks are built on. */
const observations = new WeakMap<IncomingMessage, Seen>();

function note(req: IncomingMessage, point: string): void {
  const seen = observations.get(req) ?? {};
  seen[point] = run();
  observations.set(req, seen);
}

/** The body every route echoes back, and how long it awaits before answering. */
interface Payload {
  index: number;
  delay: number;
}

interface Reply {
  body: Payload;
  seen: Seen;
}

interface Running {
  url: string;
  /** How many times the route handler ran. */
  calls: () => number;
  close: () => Promise<void>;
}

interface Framework {
  name: 'express' | 'fastify';
  service: string;
  /** Every point the app notes, in any order. */
  points: string[];
  start: (routing: ShadowSwitch) => Promise<Running>;
}

const expressFramework: Framework = {
  name: 'express',
  service: 'express-svc',
  points: ['before body', 'end', 'json verify', 'after json', 'handler', 'after await'],
  async start(routing) {
    let calls = 0;
    const app = express();
    app.use(shadowMiddleware({ routing, service: 'express-svc' }));
    app.use((req, _res, next) => {
      note(req, 'before body');
      // Attached before express.json's listeners: fired from the socket when the body is complete.
      req.once('end', () => note(req, 'end'));
      next();
    });
    // verify runs inside body-parser, in raw-body's callback after the stream's `end`.
    app.use(express.json({ verify: (req) => note(req, 'json verify') }));
    app.use((req, _res, next) => {
      note(req, 'after json');
      next();
    });
    app.post('/echo', async (req, res) => {
      calls++;
      note(req, 'handler');
      const body = req.body as Payload;
      await sleep(body.delay);
      note(req, 'after await');
      res.json({ body, seen: observations.get(req) ?? {} } satisfies Reply);
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error === undefined ? resolve(listening) : reject(error)));
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      calls: () => calls,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.closeAllConnections();
          server.close((error) => (error === undefined ? resolve() : reject(error)));
        }),
    };
  },
};

const fastifyFramework: Framework = {
  name: 'fastify',
  service: 'fastify-svc',
  points: ['onRequest after middleware', 'preParsing', 'end', 'preValidation', 'handler', 'after await'],
  async start(routing) {
    let calls = 0;
    const app = Fastify();
    const middleware = shadowMiddleware({ routing, service: 'fastify-svc' });
    // The README's form, passing fastify's own `done` as next.
    app.addHook('onRequest', (request, reply, done) => middleware(request.raw, reply.raw, done));
    app.addHook('onRequest', (request, _reply, done) => {
      note(request.raw, 'onRequest after middleware');
      done();
    });
    app.addHook('preParsing', (request, _reply, payload, done) => {
      note(request.raw, 'preParsing');
      // Attached before fastify's JSON parser's listeners: fired from the socket when the body is complete.
      request.raw.once('end', () => note(request.raw, 'end'));
      done(null, payload);
    });
    // Runs after fastify's content-type parser has read and parsed the raw stream.
    app.addHook('preValidation', (request, _reply, done) => {
      note(request.raw, 'preValidation');
      done();
    });
    app.post('/echo', async (request): Promise<Reply> => {
      calls++;
      note(request.raw, 'handler');
      const body = request.body as Payload;
      await sleep(body.delay);
      note(request.raw, 'after await');
      return { body, seen: observations.get(request.raw) ?? {} };
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: address, calls: () => calls, close: () => app.close() };
  },
};

let agent: Agent;
let routing: ShadowSwitch;
const running: Running[] = [];

beforeEach(() => {
  // Few connections, so concurrent requests of different runs share keep-alive sockets.
  agent = new Agent({ connections: 6 });
  routing = new ShadowSwitch(true);
});
afterEach(async () => {
  await agent.close();
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(framework: Framework): Promise<Running> {
  const app = await framework.start(routing);
  running.push(app);
  return app;
}

/** A JSON body in chunks, each sent after the app's middleware has long returned. */
function slowJson(payload: Payload): Readable {
  const text = JSON.stringify(payload);
  const parts = [text.slice(0, 3), text.slice(3, 9), text.slice(9)];
  return Readable.from(
    (async function* chunks(): AsyncGenerator<string> {
      for (const part of parts) {
        await sleep(10);
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

async function post(url: string, headers: Record<string, string>, payload: Payload, slow = true): Promise<Sent> {
  const response = await request(`${url}/echo`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: slow ? slowJson(payload) : JSON.stringify(payload),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function expectSeenEverywhere(framework: Framework, seen: Seen, expected: string | null): void {
  // One comparison of the whole map, so a failure shows every point that lost (or gained) the tag.
  expect(seen).toEqual(Object.fromEntries(framework.points.map((point) => [point, expected])));
}

describe.each([expressFramework, fastifyFramework])('shadowMiddleware in $name', (framework) => {
  it('keeps the header tag through the body parser, the handler and an await, and echoes it', async () => {
    const app = await start(framework);
    const sent = await post(app.url, { 'x-live-assure-shadow': 'run-x' }, { index: 1, delay: 15 });
    expect(sent.status).toBe(200);
    expect(sent.headers['x-live-assure-shadow']).toBe('run-x');
    const reply = JSON.parse(sent.text) as Reply;
    expect(reply.body).toEqual({ index: 1, delay: 15 });
    expectSeenEverywhere(framework, reply.seen, 'run-x');
  });

  it('keeps the baggage tag (among other members) everywhere too', async () => {
    const app = await start(framework);
    const sent = await post(app.url, { baggage: 'userId=alice, live-assure-shadow=run-b ,scene=s1' }, { index: 2, delay: 10 });
    expect(sent.status).toBe(200);
    expect(sent.headers['x-live-assure-shadow']).toBe('run-b');
    expectSeenEverywhere(framework, (JSON.parse(sent.text) as Reply).seen, 'run-b');
  });

  it('runs an untagged request as production everywhere, with no echo header', async () => {
    const app = await start(framework);
    const sent = await post(app.url, {}, { index: 3, delay: 10 });
    expect(sent.status).toBe(200);
    expect(sent.headers['x-live-assure-shadow']).toBeUndefined();
    expectSeenEverywhere(framework, (JSON.parse(sent.text) as Reply).seen, null);
  });

  it('keeps the tag with a body sent in one piece (content-length, no chunking)', async () => {
    const app = await start(framework);
    const sent = await post(app.url, { 'x-live-assure-shadow': 'run-y' }, { index: 4, delay: 5 }, false);
    expect(sent.status).toBe(200);
    expectSeenEverywhere(framework, (JSON.parse(sent.text) as Reply).seen, 'run-y');
  });

  it('answers 503 shadow_not_ready as JSON without calling the route when routing is off, and still serves production', async () => {
    routing.set(false);
    const app = await start(framework);
    for (const headers of [{ 'x-live-assure-shadow': 'run-x' }, { baggage: 'live-assure-shadow=run-x' }] as Record<string, string>[]) {
      const sent = await post(app.url, headers, { index: 5, delay: 0 });
      expect(sent.status).toBe(503);
      expect(sent.headers['content-type']).toBe('application/json');
      expect(sent.headers['x-live-assure-shadow']).toBeUndefined();
      const body = JSON.parse(sent.text) as { error: string; message: string };
      expect(body.error).toBe('shadow_not_ready');
      expect(body.message).toContain(framework.service);
      expect(body.message).toContain('run-x');
    }
    expect(app.calls()).toBe(0);

    const production = await post(app.url, {}, { index: 6, delay: 0 });
    expect(production.status).toBe(200);
    expectSeenEverywhere(framework, (JSON.parse(production.text) as Reply).seen, null);
    expect(app.calls()).toBe(1);

    routing.set(true);
    const shadow = await post(app.url, { 'x-live-assure-shadow': 'run-x' }, { index: 7, delay: 0 });
    expect(shadow.status).toBe(200);
    expect(app.calls()).toBe(2);
  });

  it('answers 400 shadow_tag_invalid without calling the route for an unusable tag', async () => {
    const app = await start(framework);
    const sent = await post(app.url, { 'x-live-assure-shadow': 'not a run' }, { index: 8, delay: 0 });
    expect(sent.status).toBe(400);
    expect((JSON.parse(sent.text) as { error: string }).error).toBe('shadow_tag_invalid');
    expect(app.calls()).toBe(0);
  });

  it('never lets 30 concurrent requests of different runs and production see each other’s tag', async () => {
    const app = await start(framework);
    // Deterministic pseudo-random delays, so a failure can be replayed.
    let state = 424242;
    const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const runs = [null, 'run-a', 'run-b', 'run-c'] as const;
    const requests = Array.from({ length: 30 }, (_, index) => {
      const runId = runs[index % runs.length] ?? null;
      const headers: Record<string, string> = {};
      if (runId !== null) {
        if (index % 3 === 0) headers['baggage'] = `live-assure-shadow=${runId},n=${index}`;
        else headers['x-live-assure-shadow'] = runId;
      }
      return { runId, payload: { index, delay: next() % 25 }, headers, slow: index % 5 !== 0 };
    });
    const results = await Promise.all(
      requests.map(async ({ runId, payload, headers, slow }) => ({ runId, payload, sent: await post(app.url, headers, payload, slow) })),
    );
    for (const { runId, payload, sent } of results) {
      expect(sent.status).toBe(200);
      const reply = JSON.parse(sent.text) as Reply;
      expect(reply.body).toEqual(payload);
      expectSeenEverywhere(framework, reply.seen, runId);
      expect(sent.headers['x-live-assure-shadow']).toBe(runId ?? undefined);
    }
    expect(app.calls()).toBe(30);
  });
});
