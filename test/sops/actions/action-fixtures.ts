import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import type { ActionContext } from '../../../src/sops/actions/action-context.js';
import type { SopAction, SopStep } from '../../../src/sops/actions/sop-action.js';
import { sopSchema, type Sop } from '../../../src/sops/sop-schema.js';
import { closeServers } from '../../helpers/close-servers.js';

const stepSchema = sopSchema.shape.mitigation.element;

/** A mitigation step as the schema reads it from YAML (durations as text, defaults filled in). */
export function parseStep(step: Record<string, unknown>): SopStep {
  return stepSchema.parse({ name: 'step', ...step });
}

/** One action (what a step, an undo or a fault removal does), defaults filled in. */
export function parseAction(action: Record<string, unknown>): SopAction {
  const { name: _name, undo: _undo, ...parsed } = parseStep(action);
  return parsed;
}

/** An SOP around the given trigger; the rest is the least a valid SOP needs. */
export function sopWith(trigger: Record<string, unknown>, id = 'actions-test'): Sop {
  return sopSchema.parse({
    id,
    title: 'actions under test',
    owners: ['tests'],
    load: { url: '/healthz', rate: '1/s' },
    trigger,
    detection: { within: '5s', metric: 'errors.rate>1%' },
    mitigation: [{ name: 'noop', manual: { prompt: 'ok?' } }],
    verification: {
      baseline: { window: '1s', hypotheses: ['errors.rate<1%'] },
      degraded: { window: '1s', hypotheses: ['errors.rate<1%'] },
      recovered: { window: '1s', hypotheses: ['errors.rate<1%'] },
    },
  });
}

export function testContext(overrides: Partial<ActionContext> = {}): ActionContext {
  return {
    target: 'http://127.0.0.1:1',
    cwd: process.cwd(),
    env: { PATH: process.env['PATH'] },
    signal: new AbortController().signal,
    redact: (text) => text,
    ...overrides,
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Loopback HTTP servers for one test file, closed after each test; each records the requests it saw. */
export function useHttpServers(): (handle: (request: SeenRequest, response: ServerResponse) => void) => Promise<{ url: string; seen: SeenRequest[] }> {
  const servers: Server[] = [];
  afterEach(() => closeServers(servers));
  return async (handle) => {
    const seen: SeenRequest[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        seen.push(recorded);
        handle(recorded, response);
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return { url: `http://127.0.0.1:${port}`, seen };
  };
}
