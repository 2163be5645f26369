import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.js';

/**
 * The built binary, as a user runs it: `node bin/live-assure.js …` (no shell). Needs `npm run build`
 * (the `test` script builds first).
 */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin/live-assure.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const env = { ...process.env, ...options.env };
  // The fixtures rely on this variable being unset; never inherit it.
  delete env.LIVE_ASSURE_TEST_UNSET_TOKEN;
  delete env.NODE_OPTIONS;
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { cwd: ROOT, env, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error/i);
}

describe('live-assure binary', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
  });

  it('validate on an invalid scenario: exit 2, one located error line, no stack trace', async () => {
    const file = 'test/fixtures/invalid-scenarios/unknown-service-in-call-graph.yaml';
    const result = await run(['validate', file]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}:22:13 endpoints.room-info.calls.0.to: unknown service "gatewy" (did you mean "gateway"?)`,
      '1 problem in 1 of 1 file',
    ]);
  });

  it('validate on an unset ${env:NAME}: exit 2, located, no stack trace', async () => {
    const file = 'test/fixtures/invalid-scenarios/missing-env-var.yaml';
    const result = await run(['validate', file]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${file}:19:35 .*LIVE_ASSURE_TEST_UNSET_TOKEN is not set`, 'm'));
  });

  it('validate on the shipped scenarios: exit 0 with ok lines', async () => {
    const result = await run(['validate', 'scenarios/demo.yaml', 'scenarios/s-final.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok  scenarios/demo.yaml\nok  scenarios/s-final.yaml\n');
  });

  it('--help: exit 0 and lists validate, plan and capacity', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of ['validate', 'plan', 'capacity']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('--version prints the package.json version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('an unknown command exits 2 with a short message, no stack trace', async () => {
    const result = await run(['frobnicate']);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('live-assure --help loads only what it needs', () => {
  let dir: string;
  let preload: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'live-assure-trace-'));
    // ESM: a resolve hook (module.register, Node ≥ 20.6) appends every resolved URL to the trace file.
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
`,
    );
    // CJS: whatever was require()d (directly or by an ESM import of CommonJS) sits in require.cache at exit.
    writeFileSync(
      join(dir, 'preload.mjs'),
      `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const file = process.env.LIVE_ASSURE_TRACE_FILE;
register('./hooks.mjs', import.meta.url, { data: { file } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(file, Object.keys(require.cache).map((path) => path + '\\n').join('')));
`,
    );
    preload = pathToFileURL(join(dir, 'preload.mjs')).href;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function trace(args: string[], name: string): Promise<{ result: Run; loaded: string[] }> {
    const file = join(dir, `${name}.trace`);
    writeFileSync(file, '');
    const result = await run(args, { nodeArgs: ['--import', preload], env: { LIVE_ASSURE_TRACE_FILE: file } });
    const loaded = [...new Set(readFileSync(file, 'utf8').split('\n').filter((line) => line !== ''))];
    return { result, loaded };
  }

  const packageLoaded = (loaded: string[], pkg: string): string[] => loaded.filter((url) => url.includes(`/node_modules/${pkg}/`));

  it('the tracer sees packages a command loads (control)', async () => {
    const { result, loaded } = await trace(['validate', 'scenarios/demo.yaml'], 'validate');
    expect(result.code).toBe(0);
    expect(packageLoaded(loaded, 'commander').length).toBeGreaterThan(0);
    expect(packageLoaded(loaded, 'yaml').length).toBeGreaterThan(0);
    expect(packageLoaded(loaded, 'zod').length).toBeGreaterThan(0);
  });

  it('--help does not load ink, react, undici, ioredis, zod or yaml', async () => {
    const { result, loaded } = await trace(['--help'], 'help');
    expect(result.code).toBe(0);
    expect(packageLoaded(loaded, 'commander').length).toBeGreaterThan(0);
    const heavy = ['ink', 'react', 'undici', 'ioredis', 'zod', 'yaml'].flatMap((pkg) => packageLoaded(loaded, pkg));
    expect(heavy).toEqual([]);
    // Nor any command module: they are imported lazily by their actions.
    expect(loaded.filter((url) => url.includes('/dist/commands/'))).toEqual([]);
  });

  it('an ad hoc loadtest (--url) loads no zod, yaml or ioredis: the scenario and isolation machinery stay out', async () => {
    const port = await freePort();
    const args = ['loadtest', '--url', `http://127.0.0.1:${port}/`, '--rate', '5', '--duration', '1s', '--workers', '1', '--no-tui', '--out', join(dir, 'adhoc-run')];
    const { result, loaded } = await trace(args, 'adhoc');
    // Nothing listens there: every request refused, exit 3; what matters is what got loaded.
    expect(result.code).toBe(3);
    expect(['zod', 'yaml', 'ioredis'].flatMap((pkg) => packageLoaded(loaded, pkg))).toEqual([]);
    expect(loaded.some((url) => url.includes('/dist/engine/http-transport.js'))).toBe(true);
  });

  it('--help wall time (logged, not asserted)', async () => {
    const times: number[] = [];
    for (let index = 0; index < 5; index++) {
      const started = performance.now();
      const result = await run(['--help']);
      times.push(performance.now() - started);
      expect(result.code).toBe(0);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`live-assure --help wall time over 5 runs (ms): ${times.map((ms) => ms.toFixed(0)).join(', ')}; median ${sorted[2]?.toFixed(0)}`);
  });
});
