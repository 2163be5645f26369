import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpTransport, type Transport } from '../../src/engine/http-transport.js';
import type { LoadPlan, PlannedStep } from '../../src/engine/load-plan.js';
import { runPreflight, type PreflightOptions, type RoutingSwitch, type StepProbe } from '../../src/engine/shadow-preflight.js';
import type { IsolationStore } from '../../src/shadow/isolation-stores.js';
import { closeServers } from '../helpers/close-servers.js';
import { step, testPlan } from '../helpers/load-plans.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const SHADOW_HEADER = 'x-live-assure-shadow';
const ID_RANGE: readonly [number, number] = [9_000_000_000, 9_000_999_999];
// A range of two, for the tests about ids already stored.
const LOW_ID = 9_000_000_001;
const HIGH_ID = 9_000_000_002;

/** What the target does with a tagged write; untagged writes always go to production. */
type WriteMode = 'isolated' | 'leak' | 'tee' | 'nowhere' | 'late' | 'error';

interface Behaviour {
  write: WriteMode;
  /** With shadow routing off, a tagged write is refused, served (into production: fails open), or refused after writing. */
  routingOff: 'refuse' | 'serve' | 'refuse-but-write';
  /** /send answers 401 unless its body carries a session /login handed out. */
  requireSession: boolean;
  /** /login answers without a session. */
  loginWithoutSession: boolean;
  switchOffStatus: number;
  switchOnStatus: number;
}

interface Seen {
  method: string;
  path: string;
  tagged: boolean;
  body: string;
}

interface Target {
  url: string;
  behaviour: Behaviour;
  seen: Seen[];
  routing(): boolean;
  /** Writes the target still has to make (late mode). */
  pending: Set<Promise<unknown>>;
}

let redis: TestRedis;
let targetRedis: Redis;
let store: IsolationStore;
const servers: Server[] = [];
const transports: Transport[] = [];
const targets: Target[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // The target's own connection, as a platform would have: the checks read through another one.
  targetRedis = new Redis(redis.url);
  store = { name: 'r', prefix: 'shadow:', where: 'test', redis: redis.raw };
});
afterAll(async () => {
  targetRedis.disconnect();
  await redis.stop();
});
beforeEach(async () => {
  await redis.raw.flushdb();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await closeServers(servers);
  // A late write still on its way would land in the next test's data.
  await Promise.all(targets.splice(0).flatMap((target) => [...target.pending]));
});

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Object.entries(body).find(([key]) => key === name)?.[1] : undefined;
}

/** A tiny chat platform: POST /send appends its body to `danmaku:<room>`, under `shadow:` when tagged and routing is on. */
async function startTarget(overrides: Partial<Behaviour> = {}): Promise<Target> {
  const behaviour: Behaviour = { write: 'isolated', routingOff: 'refuse', requireSession: false, loginWithoutSession: false, switchOffStatus: 200, switchOnStatus: 200, ...overrides };
  const seen: Seen[] = [];
  const sessions = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  let routing = true;

  const handle = async (req: IncomingMessage, text: string, res: ServerResponse): Promise<void> => {
    const tagged = req.headers[SHADOW_HEADER] !== undefined;
    const path = req.url ?? '/';
    seen.push({ method: req.method ?? '', path, tagged, body: text });
    if (req.method === 'POST' && path === '/login') {
      const session = `s-${sessions.size + 1}`;
      sessions.add(session);
      answer(res, 200, behaviour.loginWithoutSession ? {} : { session, room: 42 });
      return;
    }
    if (req.method === 'POST' && path === '/admin/routing/off') {
      if (behaviour.switchOffStatus < 400) routing = false;
      answer(res, behaviour.switchOffStatus, { routing: routing ? 'on' : 'off' });
      return;
    }
    if (req.method === 'POST' && path === '/admin/routing/on') {
      if (behaviour.switchOnStatus < 400) routing = true;
      answer(res, behaviour.switchOnStatus, { routing: routing ? 'on' : 'off' });
      return;
    }
    if (req.method === 'GET' && path === '/admin/routing') {
      answer(res, 200, { routing: routing ? 'on' : 'off' });
      return;
    }
    if (req.method !== 'POST' || path !== '/send') {
      answer(res, 404, { error: 'no such route' });
      return;
    }
    const body: unknown = JSON.parse(text);
    if (behaviour.requireSession && !sessions.has(String(field(body, 'session')))) {
      answer(res, 401, { error: 'no session' });
      return;
    }
    const key = `danmaku:${String(field(body, 'room'))}`;
    if (tagged && !routing) {
      if (behaviour.routingOff !== 'refuse') await targetRedis.rpush(key, text);
      answer(res, behaviour.routingOff === 'serve' ? 200 : 503, behaviour.routingOff === 'serve' ? { ok: true } : { error: 'shadow routing is off' });
      return;
    }
    if (!tagged) await targetRedis.rpush(key, text);
    else if (behaviour.write === 'error') {
      answer(res, 500, { error: 'shadow store down' });
      return;
    } else if (behaviour.write === 'isolated') await targetRedis.rpush(`shadow:${key}`, text);
    else if (behaviour.write === 'leak') await targetRedis.rpush(key, text);
    else if (behaviour.write === 'tee') await targetRedis.rpush(`shadow:${key}`, text).then(() => targetRedis.rpush(key, text));
    else if (behaviour.write === 'late') {
      const write = new Promise((resolve) => setTimeout(resolve, 500)).then(() => targetRedis.rpush(`shadow:${key}`, text));
      pending.add(write);
      void write.finally(() => pending.delete(write));
    }
    answer(res, 200, { ok: true });
  };

  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      handle(req, text, res).catch((error: unknown) => answer(res, 599, { error: String(error) }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const target: Target = { url: `http://127.0.0.1:${port}`, behaviour, seen, routing: () => routing, pending };
  targets.push(target);
  return target;
}

const sendStep = (overrides: Partial<PlannedStep> = {}): PlannedStep =>
  step('send', { method: 'POST', url: '/send', write: true, json: { room: 7, msg: 'hello {{marker}}', uid: '{{uid}}' }, writes: [{ store: 'r', key: 'danmaku:7' }], ...overrides });

function chatPlan(target: Target, steps: PlannedStep[], idKeys: string[] = ['uid']): LoadPlan {
  return testPlan({
    target: target.url,
    journeys: [{ name: 'chat', weight: 1, steps }],
    keys: { uid: { kind: 'distribution', distribution: { shadow_range: [...ID_RANGE] } } },
    injectedHeaders: { every: { [SHADOW_HEADER]: 'run-1' }, writes: {} },
    isolation: { markerPrefix: 'la~run-1~', idKeys, recordWrites: true },
  });
}

function preflight(plan: LoadPlan, options: Partial<PreflightOptions> = {}) {
  const transport = createHttpTransport({ connections: 2, connectTimeoutMs: 1000 });
  transports.push(transport);
  return runPreflight({ plan, stores: [store], transport, waitMs: 2000, idRanges: { uid: ID_RANGE }, ...options });
}

function onlyProbe(steps: readonly StepProbe[]): StepProbe {
  expect(steps).toHaveLength(1);
  const [probe] = steps;
  if (probe === undefined) throw new Error('no probe');
  return probe;
}

const sends = (target: Target): Seen[] => target.seen.filter((request) => request.path === '/send');

const routingSwitch: RoutingSwitch = {
  switchOff: step('switch_off', { method: 'POST', url: '/admin/routing/off' }),
  reportedOff: step('reported_off', { url: '/admin/routing', expectContains: '"off"' }),
  switchOn: step('switch_on', { method: 'POST', url: '/admin/routing/on' }),
};

describe('runPreflight: one tagged probe per write step', () => {
  it('passes when the probe\'s marker and fresh shadow id are in the shadow key and not in production', async () => {
    const target = await startTarget();
    const told: StepProbe[] = [];
    const report = await preflight(chatPlan(target, [sendStep()]), { onStep: (probe) => told.push(probe) });
    const probe = onlyProbe(report.steps);
    expect(report).toMatchObject({ ok: true, run_id: 'run-1', target: target.url });
    expect(probe).toMatchObject({ journey: 'chat', step: 'send', ok: true, status: 200 });
    expect(probe.problem).toBeUndefined();
    const [marker, uid] = probe.tokens;
    expect(marker).toMatch(/^la~run-1~probe\.[0-9a-f]{12}\.chat$/);
    expect(Number(uid)).toBeGreaterThanOrEqual(ID_RANGE[0]);
    expect(Number(uid)).toBeLessThanOrEqual(ID_RANGE[1]);
    expect(probe.keys).toEqual([
      {
        store: 'r',
        key: 'danmaku:7',
        shadow_key: 'shadow:danmaku:7',
        in_shadow: expect.arrayContaining([expect.objectContaining({ token: marker, where: 'list element 0' }), expect.objectContaining({ token: uid, where: 'list element 0' })]),
        in_production: [],
      },
    ]);
    // The probe was one tagged request carrying exactly the tokens looked for.
    expect(sends(target)).toHaveLength(1);
    expect(sends(target)[0]).toMatchObject({ tagged: true });
    expect(sends(target)[0]?.body).toContain(marker);
    expect(told).toEqual([probe]);
  });

  it('catches a tagged write that lands in production: LEAK, naming the production key', async () => {
    const target = await startTarget({ write: 'leak' });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 300 });
    const probe = onlyProbe(report.steps);
    expect(report.ok).toBe(false);
    expect(probe.ok).toBe(false);
    expect(probe.problem).toMatch(/^LEAK: the probe's \S+ reached production key danmaku:7 \(list element 0\)/);
    expect(probe.keys[0]?.in_production).toEqual(
      expect.arrayContaining([expect.objectContaining({ store: 'r', key: 'danmaku:7', type: 'list', token: probe.tokens[0], where: 'list element 0', step: 'send' })]),
    );
  });

  it('catches a write that reaches shadow and production both: the shadow copy does not hide the leak', async () => {
    const target = await startTarget({ write: 'tee' });
    const probe = onlyProbe((await preflight(chatPlan(target, [sendStep()]))).steps);
    expect(probe.keys[0]?.in_shadow.length).toBeGreaterThan(0);
    expect(probe.keys[0]?.in_production.length).toBeGreaterThan(0);
    expect(probe).toMatchObject({ ok: false, problem: expect.stringMatching(/^LEAK: .* production key danmaku:7 /) });
  });

  it('fails when the write shows up nowhere, naming the shadow key it looked in', async () => {
    const target = await startTarget({ write: 'nowhere' });
    const started = Date.now();
    const probe = onlyProbe((await preflight(chatPlan(target, [sendStep()]), { waitMs: 300 })).steps);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(probe).toMatchObject({ ok: false, status: 200 });
    expect(probe.problem).toMatch(/did not show up in shadow key shadow:danmaku:7 of store \S+ within 300 ms: it is in none of all \d+ keys of the store either/);
    expect(probe.keys[0]).toMatchObject({ in_shadow: [], in_production: [] });
  });

  it('waits for a write that lands late, up to waitMs; a shorter wait fails', async () => {
    const target = await startTarget({ write: 'late' });
    const patient = onlyProbe((await preflight(chatPlan(target, [sendStep()]), { waitMs: 2000 })).steps);
    expect(patient).toMatchObject({ ok: true });
    expect(patient.keys[0]?.in_shadow.length).toBeGreaterThan(0);

    const hasty = onlyProbe((await preflight(chatPlan(target, [sendStep()]), { waitMs: 150 })).steps);
    expect(hasty).toMatchObject({ ok: false, problem: expect.stringMatching(/did not show up in shadow key shadow:danmaku:7 of store \S+ within 150 ms/) });
  });

  it('says the probe could not write when the step fails, with status and the answer', async () => {
    const target = await startTarget({ write: 'error' });
    const probe = onlyProbe((await preflight(chatPlan(target, [sendStep()]))).steps);
    expect(probe).toMatchObject({ ok: false, status: 500 });
    expect(probe.problem).toMatch(/^the probe could not write, so isolation is unproven: send got HTTP 500: .*shadow store down/);
  });

  it('refuses a write step whose request carries nothing unique (no marker, no shadow id), without sending it', async () => {
    const target = await startTarget();
    const plain = sendStep({ json: { room: 7, msg: 'hello' } });
    const probe = onlyProbe((await preflight(chatPlan(target, [plain]))).steps);
    expect(probe).toMatchObject({ ok: false, tokens: [] });
    expect(probe.problem).toContain('nothing in its request is unique to the probe');
    expect(probe.problem).toContain('shadow_range key (uid)');
    expect(sends(target)).toHaveLength(0);
  });

  it('draws the shadow id again when the first one drawn is already stored, and the probe uses the fresh one', async () => {
    const target = await startTarget();
    // Left by an earlier run: the probe would find it whatever it wrote.
    await redis.raw.rpush('shadow:danmaku:7', JSON.stringify({ room: 7, uid: LOW_ID }));
    let draws = 0;
    // The first draw lands on the stored id, every later one on the other.
    const random = (): number => (draws++ === 0 ? 0 : 0.99);
    const idOnly = sendStep({ json: { room: 7, uid: '{{uid}}' } });
    const probe = onlyProbe((await preflight(chatPlan(target, [idOnly]), { random, idRanges: { uid: [LOW_ID, HIGH_ID] } })).steps);
    expect(draws).toBeGreaterThan(1);
    expect(probe).toMatchObject({ ok: true, tokens: [String(HIGH_ID)] });
    expect(JSON.parse(sends(target)[0]?.body ?? '{}')).toEqual({ room: 7, uid: HIGH_ID });
  });

  it('refuses to probe when every shadow id it can draw is already stored', async () => {
    const target = await startTarget();
    await redis.raw.rpush('shadow:danmaku:7', JSON.stringify({ uid: LOW_ID }), JSON.stringify({ uid: HIGH_ID }));
    const idOnly = sendStep({ json: { room: 7, uid: '{{uid}}' } });
    const probe = onlyProbe((await preflight(chatPlan(target, [idOnly]), { idRanges: { uid: [LOW_ID, HIGH_ID] } })).steps);
    expect(probe.ok).toBe(false);
    expect(probe.problem).toMatch(/^900000000[12] is already in shadow:danmaku:7 \(list element \d\) before the probe was sent; clean the shadow store/);
    expect(sends(target)).toHaveLength(0);
  });

  it('runs the journey up to the write step, feeding captured values into its body and key', async () => {
    const target = await startTarget({ requireSession: true });
    const login = step('login', { method: 'POST', url: '/login', json: {}, captures: { session: ['session'], room: ['room'] } });
    const send = sendStep({ json: { room: '{{room}}', session: '{{session}}', msg: '{{marker}}' }, writes: [{ store: 'r', key: 'danmaku:{{room}}' }] });
    const probe = onlyProbe((await preflight(chatPlan(target, [login, send]))).steps);
    expect(target.seen.map((request) => request.path)).toEqual(['/login', '/send']);
    expect(JSON.parse(sends(target)[0]?.body ?? '{}')).toMatchObject({ room: 42, session: 's-1' });
    expect(probe).toMatchObject({ ok: true, status: 200 });
    expect(probe.keys.map((key) => key.shadow_key)).toEqual(['shadow:danmaku:42']);
  });

  it('says the journey did not reach the write step when an earlier capture finds nothing', async () => {
    const target = await startTarget({ requireSession: true, loginWithoutSession: true });
    const login = step('login', { method: 'POST', url: '/login', json: {}, captures: { session: ['session'] } });
    const send = sendStep({ json: { room: 7, session: '{{session}}', msg: '{{marker}}' } });
    const probe = onlyProbe((await preflight(chatPlan(target, [login, send]))).steps);
    expect(probe).toMatchObject({ ok: false, problem: expect.stringMatching(/^the journey did not reach send: login: no value for capture session/) });
    expect(sends(target)).toHaveLength(0);
  });
});

describe('runPreflight: fail-closed check', () => {
  const controls = (target: Target): Seen[] => target.seen.filter((request) => request.path.startsWith('/admin/'));

  it('passes when, with routing off, the tagged write is refused and writes nothing; routing is switched back on', async () => {
    const target = await startTarget({ routingOff: 'refuse' });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.fail_closed).toEqual({ ok: true, step: 'send', status: 503, restored: true });
    expect(report.ok).toBe(true);
    // Asked first whether routing is off already (it is not), then off, confirmed off, and back on.
    expect(controls(target).map((request) => `${request.method} ${request.path}`)).toEqual(['GET /admin/routing', 'POST /admin/routing/off', 'GET /admin/routing', 'POST /admin/routing/on']);
    // Control requests are the operator's: never shadow-tagged.
    expect(controls(target).every((request) => !request.tagged)).toBe(true);
    expect(target.routing()).toBe(true);
    // The refused probe was tagged and left nothing in production.
    expect(sends(target).at(-1)?.tagged).toBe(true);
    expect(await redis.raw.exists('danmaku:7')).toBe(0);
  });

  it('fails a target that serves tagged writes with routing off (fails open), and still switches routing back on', async () => {
    const target = await startTarget({ routingOff: 'serve' });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.ok).toBe(false);
    expect(report.fail_closed).toMatchObject({ ok: false, step: 'send', status: 200, restored: true });
    expect(report.fail_closed?.problem).toContain('was served (HTTP 200) instead of refused: the target fails open');
    expect(controls(target).at(-1)).toMatchObject({ method: 'POST', path: '/admin/routing/on', tagged: false });
    expect(target.routing()).toBe(true);
  });

  it('fails a target that refuses the tagged write but still writes it', async () => {
    const target = await startTarget({ routingOff: 'refuse-but-write' });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.fail_closed).toMatchObject({ ok: false, status: 503, restored: true });
    expect(report.fail_closed?.problem).toMatch(/was refused \(HTTP 503\) but still wrote: \S+ is in danmaku:7 \(list element 0\)/);
  });

  it('draws its own shadow id afresh: an id the step probe just stored is not taken for a write made with routing off', async () => {
    const target = await startTarget({ routingOff: 'refuse' });
    let draws = 0;
    // The step probe and the fail-closed probe both draw the low id first; a redraw gets the high one.
    const random = (): number => (draws++ < 2 ? 0 : 0.99);
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch, random, idRanges: { uid: [LOW_ID, HIGH_ID] } });
    expect(report.steps[0]).toMatchObject({ ok: true, tokens: [expect.any(String), String(LOW_ID)] });
    expect(report.fail_closed).toEqual({ ok: true, step: 'send', status: 503, restored: true });
    expect(JSON.parse(sends(target).at(-1)?.body ?? '{}')).toMatchObject({ uid: HIGH_ID });
  });

  it('leaves routing alone when switching it off was refused: it never changed', async () => {
    const target = await startTarget({ switchOffStatus: 500 });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.fail_closed).toMatchObject({ ok: false, restored: true, problem: expect.stringMatching(/^switching shadow routing off failed: switch_off got HTTP 500/) });
    expect(controls(target).map((request) => request.path)).toEqual(['/admin/routing', '/admin/routing/off']);
    expect(target.routing()).toBe(true);
  });

  it('points at the credentials when switching routing off is unauthorized', async () => {
    const target = await startTarget({ switchOffStatus: 401 });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.fail_closed?.problem).toMatch(/switch_off got HTTP 401.*\(check the credentials in shadow.fail_closed's headers, e.g. export LIVE_ASSURE_ADMIN_TOKEN\)$/);
    expect(report.fail_closed?.problem).not.toMatch(/back on/);
  });

  it('leaves routing off when the target reported it off before the check (an operator turned it off)', async () => {
    const target = await startTarget();
    await fetch(`${target.url}/admin/routing/off`, { method: 'POST' });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.fail_closed).toMatchObject({ ok: true, restored: true, left_off: true, status: 503 });
    expect(controls(target).map((request) => `${request.method} ${request.path}`)).toEqual(['POST /admin/routing/off', 'GET /admin/routing']);
    expect(target.routing()).toBe(false);
  });

  it('says loudly when routing could not be switched back on', async () => {
    const target = await startTarget({ switchOnStatus: 500 });
    const report = await preflight(chatPlan(target, [sendStep()]), { waitMs: 200, failClosed: routingSwitch });
    expect(report.ok).toBe(false);
    expect(report.fail_closed).toMatchObject({ ok: false, restored: false, status: 503 });
    expect(report.fail_closed?.problem).toMatch(/^switching shadow routing back on failed: switch_on got HTTP 500.* the target may refuse all shadow traffic now$/);
    expect(target.routing()).toBe(false);
  });
});
