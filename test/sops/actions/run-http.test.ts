import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/sops/actions/redaction.js';
import { runAction } from '../../../src/sops/actions/run-action.js';
import { parseAction, testContext, useHttpServers } from './action-fixtures.js';

const startHttp = useHttpServers();

describe('http actions', () => {
  it('sends method, headers and JSON to the path joined to the target, and summarises what came back', async () => {
    const server = await startHttp((_request, response) => response.writeHead(200, { 'x-degraded': 'room-info-local-cache' }).end('{"on":true}'));
    const action = parseAction({ http: { PUT: '/admin/flags/room-info-local-cache', headers: { 'x-admin': 'yes' }, json: { on: true }, expect: { status: 200, contains: '"on":true', headers: { 'X-Degraded': 'room-info-local-cache' } } } });
    const outcome = await runAction(action, testContext({ target: `${server.url}/` }));
    expect(outcome).toMatchObject({ ok: true, summary: 'PUT /admin/flags/room-info-local-cache → 200', output: '{"on":true}' });
    expect(outcome.endedAt).toBeGreaterThanOrEqual(outcome.startedAt);
    const [seen] = server.seen;
    expect(seen).toMatchObject({ method: 'PUT', url: '/admin/flags/room-info-local-cache', body: '{"on":true}' });
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['x-admin']).toBe('yes');
  });

  it('sends a raw body as given, and takes an absolute URL as it is', async () => {
    const server = await startHttp((_request, response) => response.writeHead(204).end());
    const outcome = await runAction(parseAction({ http: { POST: `${server.url}/raw`, headers: { 'content-type': 'text/plain' }, body: 'hello' } }), testContext());
    expect(outcome).toMatchObject({ ok: true, summary: `POST ${server.url}/raw → 204` });
    expect(server.seen[0]).toMatchObject({ url: '/raw', body: 'hello' });
    expect(server.seen[0]?.headers['content-type']).toBe('text/plain');
  });

  it('states measured vs expected when the status, body or headers miss', async () => {
    const server = await startHttp((_request, response) => response.writeHead(503, { 'x-degraded': 'off' }).end('storage slow'));
    const ctx = testContext({ target: server.url });
    expect(await runAction(parseAction({ http: { PUT: '/admin/x', expect: { status: 200 } } }), ctx)).toMatchObject({
      ok: false,
      summary: 'expected status 200, got 503 (PUT /admin/x)',
      output: 'storage slow',
    });
    expect((await runAction(parseAction({ http: { GET: '/x', expect: { status: [200, 204] } } }), ctx)).summary).toBe('expected status 200 or 204, got 503 (GET /x)');
    expect((await runAction(parseAction({ http: { GET: '/x' } }), ctx)).summary).toBe('expected a status below 400, got 503 (GET /x)');
    const content = await runAction(parseAction({ http: { GET: '/x', expect: { status: 503, contains: 'cache', headers: { 'x-degraded': 'on', 'x-missing': '1' } } } }), ctx);
    expect(content.ok).toBe(false);
    expect(content.summary).toBe('expected the body to contain "cache", got "storage slow"; expected header x-degraded: on, got "off"; expected header x-missing: 1, got none (GET /x)');
  });

  it('fails with the reason when nothing answers: refused, or no answer within the timeout', async () => {
    const refused = await runAction(parseAction({ http: { GET: '/healthz' } }), testContext({ target: 'http://127.0.0.1:1' }));
    expect(refused.ok).toBe(false);
    expect(refused.summary).toMatch(/^GET \/healthz: .*ECONNREFUSED/);

    const server = await startHttp(() => undefined);
    const started = performance.now();
    const slow = await runAction(parseAction({ http: { GET: '/hang', timeout: '300ms' } }), testContext({ target: server.url }));
    expect(slow).toMatchObject({ ok: false, summary: 'GET /hang: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('masks a secret header value that the server reflects into its body, in summary and output', async () => {
    const secret = 's3cr3t-admin-token';
    const server = await startHttp((request, response) => response.writeHead(200).end(`you sent ${String(request.headers.authorization)}`));
    const action = parseAction({ http: { PUT: '/admin/flags/x', headers: { authorization: `Bearer ${secret}` }, expect: { contains: 'granted' } } });
    const outcome = await runAction(action, testContext({ target: server.url, redact: createRedactor([secret]) }));
    expect(outcome.ok).toBe(false);
    expect(outcome.output).toBe('you sent Bearer ***');
    expect(outcome.summary).toContain('got "you sent Bearer ***"');
    expect(JSON.stringify(outcome)).not.toContain(secret);
  });

  it('cuts a long body to its first 4 KiB', async () => {
    const server = await startHttp((_request, response) => response.writeHead(200).end('x'.repeat(10_000)));
    const outcome = await runAction(parseAction({ http: { GET: '/big' } }), testContext({ target: server.url }));
    expect(Buffer.byteLength(outcome.output ?? '')).toBeLessThanOrEqual(4096);
    expect(outcome.output).toMatch(/^x+\n… \(10000 bytes, cut to the first 4096\)$/);
  });

  it('stops at once when the signal aborts, and says it was interrupted', async () => {
    const server = await startHttp(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const outcome = await runAction(parseAction({ http: { GET: '/hang' } }), testContext({ target: server.url, signal: controller.signal }));
    expect(outcome).toMatchObject({ ok: false, summary: 'GET /hang: interrupted' });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
