import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/private-redis.js';
import { startDaemon } from './daemon-process.js';

/**
 * A private `prometheus-alertmanager` for one test file: a free loopback port for its web/API, no
 * cluster (`--cluster.listen-address=`: no gossip port, no peers), its own temporary storage, and a
 * generated config whose only receiver is a webhook at the URL the test gives — with Bearer
 * credentials, as `http_config.authorization` sends them — and timings short enough for tests.
 */

export interface AlertmanagerOptions {
  /** The webhook URL Alertmanager notifies (the receiver under test). */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Labels notifications are grouped by (default `[alertname]`). */
  groupBy?: readonly string[];
  /** Alertmanager durations, e.g. `1s` (defaults: group_wait 1s, group_interval 1s, repeat_interval 1h). */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  readyTimeoutMs?: number;
}

/** One alert as Prometheus POSTs it to `/api/v2/alerts`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past: the alert is resolved. Omitted: Alertmanager's resolve_timeout applies. */
  endsAt?: string;
  generatorURL?: string;
}

export interface TestAlertmanager {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** POSTs alerts to its API as Prometheus would; throws on a non-2xx answer. */
  postAlerts(alerts: readonly PostableAlert[]): Promise<void>;
  /** What it has logged so far (the tail), to explain a failed test. */
  output(): string;
  /** Kills it (SIGTERM, then SIGKILL), waits for the exit and removes its storage; safe to call twice. */
  stop(): Promise<void>;
}

const ALERTMANAGER_BIN = process.env['ALERTMANAGER_BIN'] ?? 'prometheus-alertmanager';

function configText(options: AlertmanagerOptions): string {
  const webhook = {
    url: options.webhookUrl,
    send_resolved: true,
    ...(options.token === undefined ? {} : { http_config: { authorization: { type: 'Bearer', credentials: options.token } } }),
  };
  // JSON is YAML: no YAML writer needed, and no quoting surprises in the URL or the token.
  return JSON.stringify({
    route: {
      receiver: 'live-assure',
      group_by: options.groupBy ?? ['alertname'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'live-assure', webhook_configs: [webhook] }],
  });
}

async function waitReady(url: string, exited: () => boolean, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`prometheus-alertmanager exited at start: ${output()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`prometheus-alertmanager was not ready within ${timeoutMs} ms: ${output()}`);
}

/** Starts Alertmanager and resolves once `/-/ready` answers 200. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<TestAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'la-alertmanager-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, configText(options));
  // The free port is only free until someone else takes it; a start that fails is retried on another.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await startOn(port, dir, config, options);
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function startOn(port: number, dir: string, config: string, options: AlertmanagerOptions): Promise<TestAlertmanager> {
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${config}`,
    `--storage.path=${join(dir, `data-${port}`)}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=info',
  ];
  const daemon = startDaemon(ALERTMANAGER_BIN, args, dir);
  try {
    await waitReady(url, daemon.gone, options.readyTimeoutMs ?? 15_000, daemon.tail);
  } catch (error) {
    // Keep the directory for the next attempt: only this attempt's process is stopped.
    await daemon.kill();
    throw error;
  }
  return {
    url,
    output: daemon.output,
    stop: daemon.stop,
    async postAlerts(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!response.ok) throw new Error(`POST /api/v2/alerts answered ${response.status}: ${await response.text()}`);
    },
  };
}
