import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/private-redis.js';
import { startDaemon } from './daemon-process.js';

/**
 * A private Prometheus (Debian's `prometheus`) for one test file: a free loopback port, its own
 * temporary TSDB, one scrape job and alerting rules, evaluated every second and sent to the given
 * Alertmanager — the way alerts reach Alertmanager on a real platform.
 */

export interface PrometheusRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PrometheusOptions {
  /** `host:port` scraped as job `demo`. */
  scrapeTarget: string;
  metricsPath?: string;
  /** `host:port` of the Alertmanager alerts go to. */
  alertmanager: string;
  rules: readonly PrometheusRule[];
  readyTimeoutMs?: number;
}

export interface TestPrometheus {
  url: string;
  /** Resolves once the scrape job has been scraped successfully (its target is `up`). */
  scraped(timeoutMs?: number): Promise<void>;
  output(): string;
  /** Kills it (SIGTERM, then SIGKILL), waits for the exit and removes its storage; safe to call twice. */
  stop(): Promise<void>;
}

const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? 'prometheus';

export async function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'la-prometheus-'));
  const rules = join(dir, 'rules.yml');
  const config = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer, no quoting surprises in PromQL.
  writeFileSync(rules, JSON.stringify({ groups: [{ name: 'live-assure-test', interval: '1s', rules: options.rules }] }));
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
      rule_files: [rules],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
      scrape_configs: [{ job_name: 'demo', metrics_path: options.metricsPath ?? '/metrics', static_configs: [{ targets: [options.scrapeTarget] }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const daemon = startDaemon(PROMETHEUS_BIN, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], dir);
  const { tail, stop } = daemon;
  const poll = async (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (daemon.gone()) throw new Error(`prometheus exited: ${tail()}`);
      if (await check().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus: ${what} not within ${timeoutMs} ms: ${tail()}`);
  };
  try {
    await poll('ready', options.readyTimeoutMs ?? 15_000, async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    output: daemon.output,
    stop,
    scraped: (timeoutMs = 10_000) =>
      poll('a successful scrape', timeoutMs, async () => {
        const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data?: { activeTargets?: Array<{ health?: string }> } };
        return body.data?.activeTargets?.some((target) => target.health === 'up') === true;
      }),
  };
}
