import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch, request, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServers } from '../helpers/close-servers.js';
import {
  createShadowAgent,
  currentShadowTag,
  parseBaggage,
  runInShadow,
  shadowPropagation,
  ShadowSwitch,
  withShadowContext,
  type ShadowTag,
} from '../../src/shadow/index.js';

/** What the back server received. */
interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string[];
  /** The tag the back server's own middleware opened, or null. */
  run: string | null;
}

const servers: Server[] = [];
const dispatchers: Dispatcher[] = [];
let client: Agent;
let routing: ShadowSwitch;

beforeEach(() => {
  client = new Agent();
  routing = new ShadowSwitch(true);
});
afterEach(async () => {
  await Promise.all([client, ...dispatchers.splice(0)].map((dispatcher) => dispatcher.close()));
  await closeServers(servers);
});

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** The next hop: records the headers it got and the tag its own shadow middleware saw. */
function backServer(): Promise<string> {
  return serve(
    withShadowContext({ routing, service: 'back' }, (req, res) => {
      const received: Received = { headers: req.headers, raw: req.rawHeaders, run: currentShadowTag()?.runId ?? null };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(received));
    }),
  );
}

/**
 * The first hop: a service behind the shadow middleware that calls the back server through
 * `call`, after an await so the outbound call is not in the handler's synchronous part.
 */
async function frontServer(call: (backUrl: string) => Promise<Received>, backUrl: string): Promise<string> {
  return serve(
    withShadowContext({ routing, service: 'front' }, (_req, res) => {
      void (async () => {
        await sleep(1);
        const received = await call(backUrl);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(received));
      })().catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    }),
  );
}

async function viaUndiciRequest(dispatcher: Dispatcher, url: string, headers: Dispatcher.RequestOptions['headers']): Promise<Received> {
  const response = await request(url, { dispatcher, headers });
  return (await response.body.json()) as Received;
}

async function callFront(frontUrl: string, headers: Record<string, string> = {}): Promise<Received> {
  const response = await request(frontUrl, { dispatcher: client, headers });
  const text = await response.body.text();
  expect({ status: response.statusCode, text }).toMatchObject({ status: 200 });
  return JSON.parse(text) as Received;
}

const count = (raw: string[], name: string): number => raw.filter((value, index) => index % 2 === 0 && value.toLowerCase() === name).length;

describe.each([
  ['createShadowAgent()', (): Dispatcher => createShadowAgent()],
  ['new Agent().compose(shadowPropagation())', (): Dispatcher => new Agent().compose(shadowPropagation())],
])('two hops over loopback with %s', (_name, makeDispatcher) => {
  let outbound: Dispatcher;
  let frontUrl: string;

  beforeEach(async () => {
    outbound = makeDispatcher();
    dispatchers.push(outbound);
    const backUrl = await backServer();
    frontUrl = await frontServer(
      (url) => viaUndiciRequest(outbound, url, { 'x-caller': 'front', baggage: 'userId=alice;p=1, lt-scene=s15' }),
      backUrl,
    );
  });

  it('carries the run to the next hop as the header and a baggage member, keeping the other baggage members', async () => {
    const received = await callFront(frontUrl, { 'x-live-assure-shadow': 'run-1' });
    expect(received.headers['x-live-assure-shadow']).toBe('run-1');
    expect(count(received.raw, 'x-live-assure-shadow')).toBe(1);
    expect(count(received.raw, 'baggage')).toBe(1);
    const baggage = parseBaggage(String(received.headers['baggage']));
    expect(baggage).toEqual(
      expect.arrayContaining([
        { key: 'live-assure-shadow', value: 'run-1', properties: '' },
        { key: 'userId', value: 'alice', properties: 'p=1' },
        { key: 'lt-scene', value: 's15', properties: '' },
      ]),
    );
    expect(baggage).toHaveLength(3);
    expect(received.headers['x-caller']).toBe('front');
    expect(received.run).toBe('run-1');
  });

  it('carries a run that arrived only as baggage', async () => {
    const received = await callFront(frontUrl, { baggage: 'live-assure-shadow=run-2' });
    expect(received.headers['x-live-assure-shadow']).toBe('run-2');
    expect(parseBaggage(String(received.headers['baggage'])).filter((member) => member.key === 'live-assure-shadow')).toEqual([
      { key: 'live-assure-shadow', value: 'run-2', properties: '' },
    ]);
    expect(received.run).toBe('run-2');
  });

  it('adds neither header to production calls and leaves their baggage as it was', async () => {
    const received = await callFront(frontUrl);
    expect(received.headers['x-live-assure-shadow']).toBeUndefined();
    expect(received.headers['baggage']).toBe('userId=alice;p=1, lt-scene=s15');
    expect(received.headers['x-caller']).toBe('front');
    expect(received.run).toBeNull();
  });

  it('keeps concurrent calls of different runs and production apart', async () => {
    const runs = Array.from({ length: 24 }, (_, index) => (index % 3 === 0 ? null : `run-${index % 4}`));
    const received = await Promise.all(runs.map((runId) => callFront(frontUrl, runId === null ? {} : { 'x-live-assure-shadow': runId })));
    received.forEach((got, index) => {
      const runId = runs[index] ?? null;
      expect(got.run).toBe(runId);
      expect(got.headers['x-live-assure-shadow']).toBe(runId ?? undefined);
      const member = parseBaggage(String(got.headers['baggage'])).find((entry) => entry.key === 'live-assure-shadow');
      expect(member?.value).toBe(runId ?? undefined);
    });
  });
});

describe('outbound call shapes over loopback', () => {
  const tag: ShadowTag = { runId: 'run-7', via: 'header' };
  let backUrl: string;
  beforeEach(async () => {
    backUrl = await backServer();
  });

  function shadowAgent(options?: Parameters<typeof createShadowAgent>[0]): Dispatcher {
    const agent = createShadowAgent(options);
    dispatchers.push(agent);
    return agent;
  }

  it('replaces a tag header and baggage member of another run that the caller forwarded', async () => {
    const received = await runInShadow(tag, () =>
      viaUndiciRequest(shadowAgent(), backUrl, { 'X-Live-Assure-Shadow': 'stale', baggage: 'live-assure-shadow=stale;p=1,a=1' }),
    );
    expect(received.headers['x-live-assure-shadow']).toBe('run-7');
    expect(count(received.raw, 'x-live-assure-shadow')).toBe(1);
    expect(parseBaggage(String(received.headers['baggage']))).toEqual([
      { key: 'live-assure-shadow', value: 'run-7', properties: '' },
      { key: 'a', value: '1', properties: '' },
    ]);
    expect(received.run).toBe('run-7');
  });

  it('propagates headers given as a flat array, joining repeated baggage', async () => {
    const received = await runInShadow(tag, () => viaUndiciRequest(shadowAgent(), backUrl, ['baggage', 'a=1', 'x-caller', 'front', 'baggage', 'b=2']));
    expect(received.headers['x-caller']).toBe('front');
    expect(parseBaggage(String(received.headers['baggage'])).map((member) => `${member.key}=${member.value}`).sort()).toEqual([
      'a=1',
      'b=2',
      'live-assure-shadow=run-7',
    ]);
    expect(received.run).toBe('run-7');
  });

  it('propagates headers given as a Map', async () => {
    const headers = new Map<string, string>([
      ['Baggage', 'a=1'],
      ['x-caller', 'front'],
    ]);
    const received = await runInShadow(tag, () => viaUndiciRequest(shadowAgent(), backUrl, headers));
    expect(received.headers['x-caller']).toBe('front');
    expect(received.headers['x-live-assure-shadow']).toBe('run-7');
    expect(parseBaggage(String(received.headers['baggage'])).map((member) => member.key).sort()).toEqual(['a', 'live-assure-shadow']);
  });

  it('works through undici fetch with the shadow agent as dispatcher', async () => {
    const agent = shadowAgent();
    const received = await runInShadow(tag, async () => {
      const response = await fetch(backUrl, { dispatcher: agent, headers: { baggage: 'a=1' } });
      return (await response.json()) as Received;
    });
    expect(received.headers['x-live-assure-shadow']).toBe('run-7');
    expect(parseBaggage(String(received.headers['baggage'])).map((member) => member.key).sort()).toEqual(['a', 'live-assure-shadow']);
  });

  it('sends a custom header name instead of the default one, with the baggage member unchanged', async () => {
    const received = await runInShadow(tag, () => viaUndiciRequest(shadowAgent({ header: 'X-PT-Run' }), backUrl, {}));
    expect(received.headers['x-pt-run']).toBe('run-7');
    expect(received.headers['x-live-assure-shadow']).toBeUndefined();
    expect(received.headers['baggage']).toBe('live-assure-shadow=run-7');
    // The back service reads the default header, so it learns the run from the baggage.
    expect(received.run).toBe('run-7');
  });

  it('with baggage: false sends only the header and leaves the caller’s baggage untouched', async () => {
    const received = await runInShadow(tag, () => viaUndiciRequest(shadowAgent({ baggage: false }), backUrl, { baggage: 'a=1;p' }));
    expect(received.headers['x-live-assure-shadow']).toBe('run-7');
    expect(received.headers['baggage']).toBe('a=1;p');
    const bare = await runInShadow(tag, () => viaUndiciRequest(shadowAgent({ baggage: false }), backUrl, {}));
    expect(bare.headers['baggage']).toBeUndefined();
    expect(bare.headers['x-live-assure-shadow']).toBe('run-7');
  });
});

describe('shadowPropagation called directly (the dispatch seam)', () => {
  const tag: ShadowTag = { runId: 'run-d', via: 'baggage' };
  const handler = {} as Dispatcher.DispatchHandler;

  function intercept(options: Dispatcher.DispatchOptions, propagation = shadowPropagation()): Dispatcher.DispatchOptions {
    let sent: Dispatcher.DispatchOptions | undefined;
    const dispatch = propagation((opts) => {
      sent = opts;
      return true;
    });
    expect(dispatch(options, handler)).toBe(true);
    if (sent === undefined) throw new Error('dispatch was not called');
    return sent;
  }

  const base = { origin: 'http://127.0.0.1:1', path: '/', method: 'GET' } as const;

  it('passes production requests through as the very same options object', () => {
    const options: Dispatcher.DispatchOptions = { ...base, headers: { baggage: 'a=1' } };
    expect(intercept(options)).toBe(options);
  });

  it('adds the tag to headers given as an object, lower-casing names and joining array values', () => {
    const headers = { Baggage: 'a=1;p=2', 'X-Multi': ['v1', 'v2'], 'x-gone': undefined };
    const sent = runInShadow(tag, () => intercept({ ...base, headers }));
    expect(sent.headers).toEqual({
      baggage: 'live-assure-shadow=run-d,a=1;p=2',
      'x-multi': 'v1, v2',
      'x-live-assure-shadow': 'run-d',
    });
    expect(sent).toMatchObject(base);
    // The caller's object is not modified.
    expect(headers).toEqual({ Baggage: 'a=1;p=2', 'X-Multi': ['v1', 'v2'], 'x-gone': undefined });
  });

  it('adds the tag to headers given as a flat array', () => {
    const headers = ['x-a', '1', 'BAGGAGE', 'a=1', 'baggage', 'b=2;q'];
    const sent = runInShadow(tag, () => intercept({ ...base, headers }));
    expect(sent.headers).toEqual({ 'x-a': '1', baggage: 'live-assure-shadow=run-d,a=1,b=2;q', 'x-live-assure-shadow': 'run-d' });
    expect(headers).toEqual(['x-a', '1', 'BAGGAGE', 'a=1', 'baggage', 'b=2;q']);
  });

  it('adds the tag to headers given as an iterable of pairs (Map entries, a generator)', () => {
    const map = new Map<string, string | string[]>([
      ['x-a', '1'],
      ['baggage', ['a=1', 'b=2']],
    ]);
    const fromMap = runInShadow(tag, () => intercept({ ...base, headers: map.entries() }));
    expect(fromMap.headers).toEqual({ 'x-a': '1', baggage: 'live-assure-shadow=run-d,a=1,b=2', 'x-live-assure-shadow': 'run-d' });

    function* pairs(): Generator<[string, string | string[] | undefined]> {
      yield ['X-A', '1'];
      yield ['x-skip', undefined];
      yield ['x-a', '2'];
    }
    const fromGenerator = runInShadow(tag, () => intercept({ ...base, headers: pairs() }));
    expect(fromGenerator.headers).toEqual({ 'x-a': '1, 2', baggage: 'live-assure-shadow=run-d', 'x-live-assure-shadow': 'run-d' });
  });

  it('adds the tag when there are no headers at all', () => {
    expect(runInShadow(tag, () => intercept({ ...base })).headers).toEqual({ baggage: 'live-assure-shadow=run-d', 'x-live-assure-shadow': 'run-d' });
    expect(runInShadow(tag, () => intercept({ ...base, headers: null })).headers).toEqual({
      baggage: 'live-assure-shadow=run-d',
      'x-live-assure-shadow': 'run-d',
    });
  });

  it('honours the header and baggage options', () => {
    const sent = runInShadow(tag, () => intercept({ ...base, headers: { baggage: 'a=1' } }, shadowPropagation({ header: 'X-PT', baggage: false })));
    expect(sent.headers).toEqual({ baggage: 'a=1', 'x-pt': 'run-d' });
  });

  it('reads the context when the request is dispatched, not when the interceptor is built', () => {
    const propagation = runInShadow(tag, () => shadowPropagation());
    expect(intercept({ ...base, headers: {} }, propagation).headers).toEqual({});
  });
});
