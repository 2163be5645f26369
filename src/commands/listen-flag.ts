import { UsageError } from '../errors.js';

/** `host:port`, `[v6]:port` or `:port` (loopback), the way toxiproxy-server's -host/-port read together. */
export function parseListenFlag(raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]*)):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new UsageError(`--listen: expected host:port (e.g. 127.0.0.1:8474, or port 0 for a free one), got ${JSON.stringify(raw)}`);
  }
  return { host: match[1] ?? (match[2] === '' || match[2] === undefined ? '127.0.0.1' : match[2]), port };
}
