import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLoad } from '../../src/report/load-measures.js';
import type { IntervalLine } from '../../src/report/run-directory.js';
import { writeLoadtestRun } from '../helpers/run-dirs.js';

const work = mkdtempSync(join(tmpdir(), 'la-measures-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function intervals(dir: string): IntervalLine[] {
  return readFileSync(join(dir, 'intervals.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as IntervalLine);
}

describe('measuring a long load on two threads', () => {
  it('gives exactly what one thread gives: totals, percentiles, every chart bucket', async () => {
    const dir = join(work, 'long');
    // 24 endpoints × 1000 s = 24,000 lines: past the size where half goes to a worker thread.
    writeLoadtestRun(dir, { name: 'long', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: Array.from({ length: 24 }, (_, e) => ({ endpoint: `e${e}`, seconds: 1000, perSecond: 1, ms: (s: number) => 1 + ((s * (e + 3)) % 97), failing: e === 5 ? 1 : 0 })) });
    const runs = [{ offset_s: 0, intervals: intervals(dir) }];
    expect(runs[0]?.intervals.length).toBe(24_000);
    const split = await measureLoad(runs, 1000);
    const single = await measureLoad(runs, 1000, Number.POSITIVE_INFINITY);
    const comparable = ({ histograms: _, ...rest }: Awaited<ReturnType<typeof measureLoad>>) => ({ ...rest, endpoints: [...rest.endpoints].sort((a, b) => a.name.localeCompare(b.name)) });
    expect(comparable(split)).toEqual(comparable(single));
    expect(split.all.requests).toBe(24_000);
    expect(split.all.errors).toBe(1000);
    expect(split.series.bucket_s).toBe(2);
    expect(split.series.p99.every((value) => value !== null)).toBe(true);
  }, 60_000);
});
