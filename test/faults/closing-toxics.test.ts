import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pause, startEcho, startSender, useTestNetwork } from './net-helpers.js';

const { setUp } = useTestNetwork();

describe('slow_close toxic', () => {
  it('passes the data at once and holds the close back by delay', async () => {
    const { set, open } = await setUp(await startSender('bye'));
    set.addToxic('p', { type: 'slow_close', attributes: { delay: 300 } });
    const client = open();
    expect((await client.until(3)) - client.opened).toBeLessThan(150);
    const ended = await client.ended;
    expect(ended - client.opened).toBeGreaterThanOrEqual(290);
    expect(ended - client.opened).toBeLessThan(700);
    expect(client.received.toString()).toBe('bye');
  });
});

describe('timeout toxic', () => {
  it('drops all data and closes the connection after timeout', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'timeout', attributes: { timeout: 300 } });
    const client = open();
    client.socket.write('anyone there?');
    const { at } = await client.closed;
    expect(at - client.opened).toBeGreaterThanOrEqual(280);
    expect(at - client.opened).toBeLessThan(800);
    expect(client.reads).toEqual([]);
  });

  it('stalls forever with timeout 0, and removing it closes the stalled connection', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'timeout', attributes: { timeout: 0 } });
    const client = open();
    client.socket.write('hello');
    await pause(400);
    expect(client.reads).toEqual([]);
    expect(client.socket.destroyed).toBe(false);
    const removed = performance.now();
    set.removeToxic('p', 'timeout_downstream');
    const { at } = await client.closed;
    expect(at - removed).toBeLessThan(300);
    expect(client.reads).toEqual([]);
  });

  it('also stalls a live connection when added to it', async () => {
    const { set, open } = await setUp(await startEcho());
    const client = open();
    expect(await client.roundTrip('one')).toBeLessThan(100);
    set.addToxic('p', { type: 'timeout', attributes: { timeout: 200 } });
    const added = performance.now();
    client.socket.write('two');
    const { at } = await client.closed;
    expect(at - added).toBeGreaterThanOrEqual(190);
    expect(client.received.toString()).toBe('one');
  });
});

describe('reset_peer toxic', () => {
  it('resets the connection (ECONNRESET) timeout ms after the first chunk', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'reset_peer', attributes: { timeout: 200 } });
    const client = open();
    await client.connected();
    await pause(100);
    const sent = performance.now();
    client.socket.write('hello');
    const { at, error } = await client.closed;
    expect(error?.code).toBe('ECONNRESET');
    expect(at - sent).toBeGreaterThanOrEqual(190);
    expect(at - sent).toBeLessThan(600);
    expect(client.reads).toEqual([]);
  });

  it('leaves connections its toxicity roll did not select alone: data flows and the close is a normal one', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'reset_peer', stream: 'upstream', toxicity: 0, attributes: { timeout: 0 } });
    const client = open();
    expect(await client.roundTrip('still here')).toBeLessThan(100);
    client.socket.end();
    await client.ended;
    expect((await client.closed).error).toBeUndefined();
  });
});

describe('limit_data toxic', () => {
  it('passes exactly `bytes` bytes, then closes', async () => {
    const payload = randomBytes(10_000);
    const { set, open } = await setUp(await startSender(payload, false));
    set.addToxic('p', { type: 'limit_data', attributes: { bytes: 1234 } });
    const client = open();
    await client.closed;
    expect(client.received.equals(payload.subarray(0, 1234))).toBe(true);
  });

  it('counts across chunks of one connection', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'limit_data', attributes: { bytes: 7 } });
    const client = open();
    expect(await client.roundTrip('abcd')).toBeLessThan(100);
    client.socket.write('efgh');
    await client.closed;
    expect(client.received.toString()).toBe('abcdefg');
  });
});
