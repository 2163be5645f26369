import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalAsk } from '../../src/commands/terminal-ask.js';
import { createTestIo } from '../helpers/test-io.js';

describe('a manual step asked at the terminal', () => {
  it('takes c or a, asks again on anything else, and says nothing was answered on timeout or stop', async () => {
    const stdin = new PassThrough();
    const io = { ...createTestIo(), stdin };
    const ask = terminalAsk(io);
    const answered = ask('Announce degraded mode?', 5000, new AbortController().signal);
    stdin.write('maybe\na\n');
    expect(await answered).toBe('abort');
    expect(io.out()).toContain('? Announce degraded mode? [c]ontinue / [a]bort (5s): ');
    expect(await ask('Go on?', 50, new AbortController().signal)).toBeUndefined();
    const stop = new AbortController();
    const stopped = ask('Go on?', 5000, stop.signal);
    stop.abort();
    expect(await stopped).toBeUndefined();
  });
});
