import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

/**
 * The HTML report as a reader opens it: Debian's Chromium (headless, through playwright-core)
 * loads it from a loopback server that counts requests; the charts must draw, nothing else may
 * be fetched, and the console must stay clean.
 */

const CHROMIUM = '/usr/bin/chromium';
// Without these, Chromium phones home at start (and the closed network refuses it, noisily).
const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const out = mkdtempSync(join(tmpdir(), 'la-report-html-'));
let browser: Browser;
let server: Server;
let base = '';
const served: string[] = [];

beforeAll(async () => {
  const { code, stderr } = await runCli(['report', 'test/fixtures/runs', '--scenario', 'scenarios/demo.yaml', '--sops', 'sops', '--format', 'html', '--out', out]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const html = readFileSync(join(out, 'report.html'));
  server = createServer((request, response) => {
    served.push(request.url ?? '');
    response.writeHead(request.url === '/report.html' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(request.url === '/report.html' ? html : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
  browser = await chromium.launch({ executablePath: CHROMIUM, args: QUIET });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(out, { recursive: true, force: true });
});

describe('the HTML report in a real browser', { timeout: 60_000 }, () => {
  it('draws every chart, fetches nothing but itself, and logs no error', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${base}/report.html`, { waitUntil: 'load' });

    expect(await page.locator('#verdict').innerText()).toMatch(/^PASS — 1 load test passed, 1 rehearsal passed, 2 alerts fired \(1 with no SOP\); 4 action items$/);
    // Three charts per load: the load test's and the rehearsal's background load.
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(6);
    for (let i = 0; i < 6; i += 1) {
      const box = await charts.nth(i).boundingBox();
      expect(box?.width).toBeGreaterThan(800);
      expect(box?.height).toBeGreaterThan(150);
      const lines = charts.nth(i).locator('polyline.series');
      expect(await lines.count()).toBeGreaterThan(0);
      // A line breaks where a bucket has no data; together the pieces still span the chart.
      const widths: number[] = [];
      for (let n = 0; n < (await lines.count()); n += 1) widths.push((await lines.nth(n).boundingBox())?.width ?? 0);
      expect(Math.max(...widths)).toBeGreaterThan(150);
      expect(widths.reduce((sum, width) => sum + width, 0)).toBeGreaterThan(600);
      expect((await lines.first().getAttribute('points'))?.split(' ').length).toBeGreaterThan(5);
    }
    // The rehearsal's chart carries its fault band and its numbered milestones.
    const rehearsalLatency = page.locator('section.rehearsal svg.chart[data-chart$="-latency"]');
    expect(await rehearsalLatency.locator('rect.band').count()).toBe(4);
    expect(await rehearsalLatency.locator('g.annotation').count()).toBeGreaterThan(7);
    expect(await page.locator('section.rehearsal ol.annotations li').filter({ hasText: 'fault injected' }).count()).toBe(1);
    // Forecast vs measured, and the alert with no SOP.
    expect(await page.locator('#capacity table').first().innerText()).toMatch(/room-info\s+83\.3\/s/);
    expect(await page.locator('#coverage').innerText()).toMatch(/DiskFull[\s\S]*NO SOP/);

    expect(problems).toEqual([]);
    expect(requests).toEqual([`${base}/report.html`]);
    expect(served).toEqual(['/report.html']);
    await page.close();
  });

  it('opens offline from the file itself, as an attachment would', async () => {
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`file://${join(out, 'report.html')}`);
    expect(await page.locator('svg.chart polyline.series').count()).toBeGreaterThan(10);
    expect(failed).toEqual([]);
    await context.close();
  });
});
