import { describe, expect, it } from 'vitest';
import { runStep } from '../../../src/sops/actions/run-step.js';
import { parseStep, testContext, useHttpServers } from './action-fixtures.js';

const startHttp = useHttpServers();

/** A flag endpoint that answers `status` and records every flip it was asked for. */
async function flagServer(status: number) {
  return startHttp((_request, response) => response.writeHead(status).end());
}

const flip = (on: boolean) => ({ PUT: '/admin/flags/gift-panel-static', json: { on }, expect: { status: 200 } });

describe('runStep', () => {
  it('returns the undo of a step that ran, which rollback calls later', async () => {
    const server = await flagServer(200);
    const { outcome, undo } = await runStep(parseStep({ http: flip(true), undo: { http: flip(false) } }), testContext({ target: server.url }));
    expect(outcome).toMatchObject({ ok: true, summary: 'PUT /admin/flags/gift-panel-static → 200' });
    expect(await undo?.()).toMatchObject({ ok: true, summary: 'PUT /admin/flags/gift-panel-static → 200' });
    expect(server.seen.map(({ body }) => body)).toEqual(['{"on":true}', '{"on":false}']);
  });

  it('returns the undo even when the step failed after it was sent: it may have changed something', async () => {
    const server = await flagServer(500);
    const { outcome, undo } = await runStep(parseStep({ http: flip(true), undo: { http: flip(false) } }), testContext({ target: server.url }));
    expect(outcome).toMatchObject({ ok: false, summary: 'expected status 200, got 500 (PUT /admin/flags/gift-panel-static)' });
    expect(undo).toBeDefined();
    const shell = await runStep(parseStep({ shell: { command: 'exit 1' }, undo: { shell: { command: 'true' } } }), testContext());
    expect(shell.outcome.ok).toBe(false);
    expect(await shell.undo?.()).toMatchObject({ ok: true, summary: 'true → exit 0' });
  });

  it('returns no undo when nothing was sent, or when the step has none', async () => {
    const refused = await runStep(parseStep({ http: flip(true), undo: { http: flip(false) } }), testContext({ target: 'http://127.0.0.1:1' }));
    expect(refused.outcome.ok).toBe(false);
    expect(refused.undo).toBeUndefined();
    const server = await flagServer(200);
    expect((await runStep(parseStep({ http: flip(true) }), testContext({ target: server.url }))).undo).toBeUndefined();
    const declined = await runStep(parseStep({ manual: { prompt: 'drain?', default: 'abort' }, undo: { manual: { prompt: 'undrain' } } }), testContext());
    expect(declined.outcome.abort).toBe(true);
    expect(declined.undo).toBeUndefined();
  });

  it('runs the undo after an interrupt: the step signal does not stop rollback', async () => {
    const server = await flagServer(200);
    const controller = new AbortController();
    const { undo } = await runStep(parseStep({ http: flip(true), undo: { http: flip(false) } }), testContext({ target: server.url, signal: controller.signal }));
    controller.abort();
    expect(await undo?.()).toMatchObject({ ok: true });
    expect(server.seen).toHaveLength(2);
    // A signal given to the undo itself does bound it.
    const { undo: bounded } = await runStep(parseStep({ http: flip(true), undo: { shell: { command: 'sleep 30' } } }), testContext({ target: server.url }));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    expect(await bounded?.(stop.signal)).toMatchObject({ ok: false, summary: 'interrupted: killed sleep 30' });
  });
});
