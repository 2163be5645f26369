import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type PayloadVerdict, type WebhookReceiver } from '../../src/watch/webhook-receiver.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

const token = 's3cret-token';
const payload = { version: '4', status: 'firing', receiver: 'live-assure', alerts: [{ status: 'firing', labels: { alertname: 'GiftLatencyHigh' } }] };
let receiver: WebhookReceiver;
let received: unknown[];
let verdict: PayloadVerdict;

beforeEach(async () => {
  received = [];
  verdict = { ok: true };
  receiver = await startWebhookReceiver({
    host: '127.0.0.1',
    port: 0,
    token,
    maxBodyBytes: 64 * 1024,
    headersTimeoutMs: 500,
    onPayload: (json) => {
      received.push(json);
      return verdict;
    },
  });
});
afterEach(async () => {
  await receiver.close();
});

function send(options: { method?: string; path?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer; agent?: Agent }): Promise<Answer> {
  const url = new URL(options.path ?? '/webhook', receiver.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers, agent: options.agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    // A server that stops reading a big body may reset the connection once it has answered; the answer is what counts.
    request.on('error', reject);
    request.end(options.body);
  });
}

const postJson = (body: unknown, headers: OutgoingHttpHeaders = {}, agent?: Agent) =>
  send({ body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, agent });

describe('the webhook receiver', () => {
  it('hands an accepted payload to onPayload and answers 200 {status:"ok"}, on /webhook and on /', async () => {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    const answer = await postJson(payload);
    expect(answer).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(received).toEqual([payload]);
    expect((await send({ path: '/', body: '{}', headers: { 'content-type': 'application/json; charset=utf-8', authorization: `bearer ${token}` } })).status).toBe(200);
    expect(receiver.stats()).toEqual({ accepted: 2, rejected: {} });
  });

  it('answers GET /healthz with 200 without a token', async () => {
    expect(await send({ method: 'GET', path: '/healthz' })).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate: Bearer, before onPayload sees anything', async () => {
    const missing = await send({ body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(missing.json).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    const wrong = await postJson(payload, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('invalid_token');
    expect((await postJson(payload, { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` })).status).toBe(401);
    expect(received).toEqual([]);
    expect(receiver.stats().rejected).toEqual({ unauthorized: 3 });
  });

  it('answers 413 for a body over the limit, declared or streamed, and still serves the next request', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(200 * 1024) });
    const declared = await postJson(JSON.parse(big));
    expect(declared).toMatchObject({ status: 413, json: { error: 'payload-too-large' } });
    const streamed = await send({ body: big, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } });
    expect(streamed).toMatchObject({ status: 413, json: { error: 'payload-too-large' } });
    expect(await postJson(payload)).toMatchObject({ status: 200 });
    expect(received).toEqual([payload]);
    expect(receiver.stats()).toEqual({ accepted: 1, rejected: { 'payload-too-large': 2 } });
  });

  it('answers 400 {error, message} for malformed JSON and for a payload onPayload refuses', async () => {
    const malformed = await send({ body: '{"version": "4",', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    expect(malformed).toMatchObject({ status: 400, json: { error: 'malformed-json', message: expect.stringContaining('not JSON') } });
    verdict = { ok: false, error: 'alerts: expected an array' };
    expect(await postJson({ version: '4' })).toMatchObject({ status: 400, json: { error: 'invalid-payload', message: 'alerts: expected an array' } });
  });

  it('answers 500 when onPayload throws, so Alertmanager retries', async () => {
    await receiver.close();
    receiver = await startWebhookReceiver({ host: '127.0.0.1', port: 0, onPayload: () => { throw new Error('event log full'); } });
    expect(await postJson(payload)).toMatchObject({ status: 500, json: { error: 'handler-failed', message: 'event log full' } });
  });

  it('answers 415 for a body that is not declared JSON', async () => {
    const form = await send({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` } });
    expect(form).toMatchObject({ status: 415, json: { error: 'unsupported-media-type' } });
    expect((await send({ body: '{}', headers: { authorization: `Bearer ${token}` } })).status).toBe(415);
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    expect(await send({ path: '/alerts', body: '{}' })).toMatchObject({ status: 404, json: { error: 'not-found' } });
    const getWebhook = await send({ method: 'GET' });
    expect(getWebhook).toMatchObject({ status: 405, json: { error: 'method-not-allowed' } });
    expect(getWebhook.headers.allow).toBe('POST');
    expect((await send({ path: '/healthz', body: '{}' })).headers.allow).toBe('GET, HEAD');
  });

  it('survives a client that aborts mid-body, and one that never finishes its headers', async () => {
    const address = new URL(receiver.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(address.port), address.hostname, () => {
        socket.write(`POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: 1000\r\n\r\n{"vers`);
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    const slowloris = await new Promise<string>((resolve) => {
      const socket = connect(Number(address.port), address.hostname, () => socket.write('POST /webhook HTTP/1.1\r\nhost: x\r\n'));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      socket.on('close', () => resolve(answer));
    });
    expect(slowloris).toMatch(/^HTTP\/1\.1 408/);
    expect(await postJson(payload)).toMatchObject({ status: 200 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(receiver.stats()).toEqual({ accepted: 1, rejected: { aborted: 1, timeout: 1 } });
  });

  it('takes small POSTs over keep-alive fast enough for 1000 alerts/s (measured, logged)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const total = 3000;
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        next += 1;
        const answer = await postJson(payload, {}, agent);
        if (answer.status !== 200) throw new Error(`status ${answer.status}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    console.log(`webhook receiver: ${total} POSTs in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} req/s (16 keep-alive connections)`);
    expect(receiver.stats().accepted).toBe(total);
  });
});
