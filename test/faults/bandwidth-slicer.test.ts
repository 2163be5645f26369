import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startEcho, startSender, useTestNetwork } from './net-helpers.js';

const { setUp } = useTestNetwork();

describe('bandwidth toxic', () => {
  it('holds 200 KB to about rate KB/s, intact', async () => {
    const payload = randomBytes(200_000);
    const { set, open } = await setUp(await startSender(payload));
    set.addToxic('p', { type: 'bandwidth', attributes: { rate: 200 } });
    const client = open();
    const done = await client.until(payload.length, 10_000);
    const seconds = (done - client.opened) / 1000;
    expect(seconds).toBeGreaterThan(0.85);
    expect(seconds).toBeLessThan(2.5);
    expect(client.received.equals(payload)).toBe(true);
    // Chunks over rate × 100 ms go out in 100 ms slices: nothing arrives in one burst.
    expect(Math.max(...client.reads.map((read) => read.data.length))).toBeLessThanOrEqual(20_000);
  });

  it('does not limit the other direction, and rate ≤ 0 is unlimited', async () => {
    const payload = randomBytes(200_000);
    const { set, open } = await setUp(await startSender(payload));
    set.addToxic('p', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 1 } });
    set.addToxic('p', { type: 'bandwidth', name: 'unlimited', attributes: { rate: 0 } });
    const client = open();
    expect((await client.until(payload.length)) - client.opened).toBeLessThan(500);
  });
});

describe('slicer toxic', () => {
  it('cuts a chunk into pieces of about average ± variation bytes, delay µs apart', async () => {
    const payload = randomBytes(1_000);
    const { set, open } = await setUp(await startSender(payload));
    set.addToxic('p', { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 5_000 } });
    const client = open();
    const done = await client.until(payload.length);
    expect(client.received.equals(payload)).toBe(true);
    expect(client.reads.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...client.reads.map((read) => read.data.length))).toBeLessThanOrEqual(2 * 120);
    // About ten pieces with 5 ms after each.
    expect(done - client.reads[0]!.at).toBeGreaterThanOrEqual(30);
  });

  it('repeats the same cuts with the same seed', async () => {
    const lengths: number[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const { set, open } = await setUp(await startEcho());
      set.addToxic('p', { type: 'slicer', attributes: { average_size: 50, size_variation: 30, delay: 3_000 } });
      const client = open();
      await client.roundTrip('x'.repeat(500));
      lengths.push(client.reads.map((read) => read.data.length));
      client.destroy();
      await set.close();
    }
    expect(lengths[0]!.length).toBeGreaterThan(5);
    expect(lengths[1]).toEqual(lengths[0]);
  });
});
