import { FaultProxyError } from './proxy-model.js';

/** A TCP address as Toxiproxy writes it: `host:port`, `[v6]:port`, or `:port` for the default host. */
export interface ProxyAddress {
  host: string;
  port: number;
}

const ADDRESS = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/;

/** Reads `listen` (port 0 allowed: an ephemeral port) or `upstream` (a real port and a host); 400 otherwise. */
export function parseAddress(raw: string, role: 'listen' | 'upstream', defaultHost: string): ProxyAddress {
  const match = ADDRESS.exec(raw);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2] ?? '';
  const lowestPort = role === 'listen' ? 0 : 1;
  if (match === null || port < lowestPort || port > 65535 || (role === 'upstream' && host === '')) {
    const shape = role === 'listen' ? 'host:port (port 0 picks a free port)' : 'host:port';
    throw new FaultProxyError(400, `bad request body: ${role} must be ${shape}, got ${JSON.stringify(raw)}`);
  }
  return { host: host === '' ? defaultHost : host, port };
}

export function formatAddress(address: ProxyAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
