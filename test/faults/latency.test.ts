import { describe, expect, it } from 'vitest';
import { startEcho, startServer, type TestServer, useTestNetwork } from './net-helpers.js';

const { setUp } = useTestNetwork();

// Greets on connect, then echoes: the greeting only travels downstream, the echo both ways.
const startGreeter = (): Promise<TestServer> =>
  startServer((socket) => {
    socket.write('hi');
    socket.pipe(socket);
  });

describe('latency toxic', () => {
  it('delays the downstream only by default', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'latency', attributes: { latency: 200 } });
    const client = open();
    const rtt = await client.roundTrip();
    expect(rtt).toBeGreaterThanOrEqual(190);
    expect(rtt).toBeLessThan(400);
  });

  it('is one-way: upstream latency leaves what the server sends on its own undelayed', async () => {
    const { set, open } = await setUp(await startGreeter());
    set.addToxic('p', { type: 'latency', stream: 'upstream', attributes: { latency: 200 } });
    const client = open();
    expect((await client.until(2)) - client.opened).toBeLessThan(150);
    const rtt = await client.roundTrip();
    expect(rtt).toBeGreaterThanOrEqual(190);
    expect(rtt).toBeLessThan(400);
  });

  it('applies in both directions with stream both (an extension)', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'latency', stream: 'both', attributes: { latency: 150 } });
    const rtt = await open().roundTrip();
    expect(rtt).toBeGreaterThanOrEqual(290);
    expect(rtt).toBeLessThan(600);
  });

  it('adds up when stacked', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'latency', name: 'a', attributes: { latency: 100 } });
    set.addToxic('p', { type: 'latency', name: 'b', attributes: { latency: 150 } });
    const rtt = await open().roundTrip();
    expect(rtt).toBeGreaterThanOrEqual(240);
    expect(rtt).toBeLessThan(500);
  });

  it('keeps every chunk within latency ± jitter, and does vary', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'latency', attributes: { latency: 60, jitter: 40 } });
    const client = open();
    const rtts: number[] = [];
    for (let index = 0; index < 20; index += 1) rtts.push(await client.roundTrip(`m${index}`));
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...rtts)).toBeLessThan(100 + 150);
    expect(Math.max(...rtts) - Math.min(...rtts)).toBeGreaterThan(20);
  });

  it('takes effect on a live connection when added, and stops when removed', async () => {
    const { set, open } = await setUp(await startEcho());
    const client = open();
    expect(await client.roundTrip()).toBeLessThan(100);
    set.addToxic('p', { type: 'latency', attributes: { latency: 200 } });
    expect(await client.roundTrip()).toBeGreaterThanOrEqual(190);
    set.updateToxic('p', 'latency_downstream', { attributes: { latency: 300 } });
    expect(await client.roundTrip()).toBeGreaterThanOrEqual(290);
    set.removeToxic('p', 'latency_downstream');
    expect(await client.roundTrip()).toBeLessThan(100);
  });

  it('lets held data out at once when the toxic is removed, in order', async () => {
    const { set, open } = await setUp(await startEcho());
    set.addToxic('p', { type: 'latency', attributes: { latency: 5_000 } });
    const client = open();
    await client.connected();
    client.socket.write('one,');
    client.socket.write('two,');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const removed = performance.now();
    set.removeToxic('p', 'latency_downstream');
    client.socket.write('three');
    expect((await client.until(13)) - removed).toBeLessThan(300);
    expect(client.received.toString()).toBe('one,two,three');
  });
});
