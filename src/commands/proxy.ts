import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { EnvironmentError, InvalidInputError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { createFaultProxies } from '../faults/fault-proxies.js';
import { FaultProxyError, type FaultProxySet, type ProxyInput } from '../faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../faults/toxiproxy-api.js';
import type { Io } from '../io.js';
import { parseFlagCount } from './flag-numbers.js';
import { proxyBanner } from './proxy-banner.js';
import { readPopulateFile } from './proxy-populate-file.js';
import { parseListenFlag } from './listen-flag.js';

export interface ProxyCommandOptions {
  listen: string;
  seed?: string;
  populate?: string;
  json?: boolean;
}

export async function runProxy(options: ProxyCommandOptions, io: Io): Promise<number> {
  const { host, port } = parseListenFlag(options.listen);
  // A seed is always in force, and printed, so any run's toxicity rolls can be replayed with --seed.
  const seed = options.seed === undefined ? randomInt(2 ** 31) : parseFlagCount('--seed', options.seed, 0);
  const inputs = options.populate === undefined ? [] : await readPopulateFile(options.populate, io.cwd);

  // Asked for now, so a Ctrl-C during the start still stops gracefully.
  const signal = io.signal;
  const proxies = createFaultProxies({ seed });
  let api: ToxiproxyApi | undefined;
  try {
    if (inputs.length > 0) await populate(proxies, inputs, options.populate ?? '');
    api = await startApi(proxies, host, port, options.listen);
    const list = proxies.list();
    if (options.json === true) {
      io.stdout.write(`${JSON.stringify({ api: api.url, seed, proxies: list.map(({ name, listen, upstream, enabled }) => ({ name, listen, upstream, enabled })) })}\n`);
    } else {
      io.stdout.write(proxyBanner(api.url, seed, list));
    }
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    await api?.close();
    await proxies.close();
  }
  if (options.json !== true) io.stdout.write('live-assure proxy: stopped\n');
  return ExitCode.Ok;
}

async function populate(proxies: FaultProxySet, inputs: readonly ProxyInput[], file: string): Promise<void> {
  try {
    await proxies.populate(inputs);
  } catch (error) {
    if (error instanceof FaultProxyError && error.status === 400) {
      throw new InvalidInputError([{ file, line: 1, col: 1, path: '', message: error.message }]);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`proxy: cannot start the proxies in ${file}: ${reason}`, 'a listen address in the file is taken or not local; port 0 picks a free one');
  }
}

async function startApi(proxies: FaultProxySet, host: string, port: number, listen: string): Promise<ToxiproxyApi> {
  try {
    return await startToxiproxyApi(proxies, { host, port });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE') {
      throw new EnvironmentError(`proxy: cannot listen on ${listen}: the port is in use (a toxiproxy-server already running?)`, '--listen 127.0.0.1:0 picks a free port');
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`proxy: cannot listen on ${listen}: ${reason}`);
  }
}
