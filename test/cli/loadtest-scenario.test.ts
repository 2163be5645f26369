import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServers } from '../helpers/close-servers.js';
import { runCli } from '../helpers/test-io.js';

/** A scenario with a CSV feeder, captures and checks, run in-process against a real loopback server. */

const servers: Server[] = [];
const seen: Array<{ method: string; url: string; body: string; headers: Record<string, unknown> }> = [];
let target = '';
let dir = '';

beforeAll(async () => {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', body, headers: request.headers });
      if (request.url === '/api/login') {
        const { uid } = JSON.parse(body) as { uid: string };
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ data: { token: `tok-${uid}` } }));
      } else if (request.url?.startsWith('/api/me')) response.end(request.url.includes('tok-') ? 'hello viewer' : 'who?');
      else {
        response.statusCode = 404;
        response.end();
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  dir = mkdtempSync(join(tmpdir(), 'la-scenario-'));
  writeFileSync(join(dir, 'users.csv'), 'uid,name\nu1,"Ann, the first"\nu2,Bob\nu3,Cy\n');
  writeFileSync(
    join(dir, 'login.yaml'),
    `name: login-flow
audience: { peak: 600, curve: [{ at: 0m, share: 1 }] }
keys:
  uid: { csv: { file: users.csv, column: uid } }
  room: { values: [7734] }
journeys:
  login:
    per_viewer: 1/min
    steps:
      - { name: login, POST: /login, json: { uid: "{{uid}}", room: "{{room}}", note: "r{{room}}" }, capture: { token: "$.data.token" }, expect: { status: 200 }, write: false }
      - { name: me, GET: "/me?t={{token}}", headers: { x-run: "{{run_id}}" }, expect: { contains: hello } }
load:
  scale: 0.5
  arrivals: constant
  stages: [{ step: 2s, to: 1 }]
  thresholds: ["me.p99<500ms"]
`,
  );
});
afterAll(async () => {
  await closeServers(servers);
  rmSync(dir, { recursive: true, force: true });
});

describe('loadtest <scenario> --target', () => {
  it('feeds values from the CSV, passes captured values on, keeps a whole-placeholder number a number', async () => {
    const result = await runCli(['loadtest', join(dir, 'login.yaml'), '--target', target, '--workers', '1', '--max-lag', '2s', '--out', join(dir, 'run'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { requests: number; endpoints: Record<string, { requests: number; errors: number }> };
    // 600 viewers × 1/min × 0.5 = 5 arrivals/s for 2 s, each a login and a /me.
    expect(summary.requests).toBe(20);
    expect(summary.endpoints['me']).toMatchObject({ requests: 10, errors: 0 });
    const logins = seen.filter((request) => request.url === '/api/login').map((request) => JSON.parse(request.body) as { uid: string; room: unknown; note: string });
    expect(logins.slice(0, 4).map((login) => login.uid)).toEqual(['u1', 'u2', 'u3', 'u1']);
    expect(logins[0]).toMatchObject({ room: 7734, note: 'r7734' });
    const me = seen.filter((request) => request.url?.startsWith('/api/me'));
    expect(me[0]?.url).toBe('/api/me?t=tok-u1');
    expect(me[0]?.headers['x-run']).toMatch(/^la-/);
    expect(me[0]?.headers['x-live-assure-shadow']).toBe(me[0]?.headers['x-run']);
    const manifest = JSON.parse(readFileSync(join(dir, 'run', 'manifest.json'), 'utf8')) as { hash: string; plan: { keys: { uid: { values: string[] } } } };
    expect(manifest.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(manifest.plan.keys.uid.values).toEqual(['u1', 'u2', 'u3']);
  });

  it('names a missing CSV column with the file, and exits 2 before sending anything', async () => {
    writeFileSync(join(dir, 'bad.yaml'), readFileSync(join(dir, 'login.yaml'), 'utf8').replace('column: uid', 'column: user_id'));
    const before = seen.length;
    const result = await runCli(['loadtest', join(dir, 'bad.yaml'), '--target', target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'users.csv')}:1:1 user_id: no column "user_id" in the header (columns: uid, name)`);
    expect(seen.length).toBe(before);
  });

  it('refuses, before sending anything: a threshold scope that names no step, flags of the ad-hoc mode, an --out that holds a run', async () => {
    const before = seen.length;
    const typo = await runCli(['loadtest', join(dir, 'login.yaml'), '--target', target, '--abort', 'mee.p99>1s']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/"mee.p99>1s": "mee" is neither a journey nor a step of this run \(did you mean "me"\?\)/);
    const stray = await runCli(['loadtest', join(dir, 'login.yaml'), '--target', target, '--rate', '5000', '--header', 'x: y']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--rate, --header are for ad-hoc runs/);
    const again = await runCli(['loadtest', join(dir, 'login.yaml'), '--target', target, '--out', join(dir, 'run')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run/);
    expect(seen.length).toBe(before);
  });

  it('asks for a load section rather than guessing how hard to push', async () => {
    writeFileSync(join(dir, 'no-load.yaml'), readFileSync(join(dir, 'login.yaml'), 'utf8').replace(/^load:[\s\S]*$/m, ''));
    const result = await runCli(['loadtest', join(dir, 'no-load.yaml'), '--target', target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no load section/);
  });
});
