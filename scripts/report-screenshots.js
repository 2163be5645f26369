// The README's pictures of the HTML report: renders the recorded runs in test/fixtures/runs (a
// demo load test, a rehearsal, a watch session) and photographs three parts of the page in
// Debian's headless Chromium. Run after a build: `node scripts/report-screenshots.js`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'la-report-shots-'));
try {
  const report = spawnSync(process.execPath, ['bin/live-assure.js', 'report', 'test/fixtures/runs', '--scenario', 'scenarios/demo.yaml', '--sops', 'sops', '--format', 'html', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  if (report.status !== 0) throw new Error(`report exited ${report.status}: ${report.stderr}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`file://${join(out, 'report.html')}`);
  const shots = [
    ['docs/report-summary.png', 'body > header', '#actions'],
    ['docs/report-loadtest.png', '#loads', '#loads table'],
    ['docs/report-rehearsal.png', 'section.rehearsal', 'section.rehearsal ol.annotations'],
  ];
  for (const [file, from, to] of shots) {
    const top = await page.locator(from).first().boundingBox();
    const bottom = await page.locator(to).first().boundingBox();
    const y = Math.max(0, (top?.y ?? 0) - 8);
    await page.screenshot({ path: join(ROOT, file), fullPage: true, clip: { x: 0, y, width: 1000, height: (bottom?.y ?? 0) + (bottom?.height ?? 0) - y + 8 } });
    process.stdout.write(`${file}\n`);
  }
  await browser.close();
} finally {
  rmSync(out, { recursive: true, force: true });
}
