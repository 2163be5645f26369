import { parseAddress, type ProxyAddress } from './proxy-address.js';
import { FaultProxyError, type ProxyInput } from './proxy-model.js';

/** A proxy's settings once checked: the addresses parsed, `enabled` defaulted to true as Toxiproxy does. */
export interface ProxySettings {
  name: string;
  /** As the client wrote it, so populate can tell an unchanged proxy. */
  listen: string;
  listenAddress: ProxyAddress;
  upstream: string;
  upstreamAddress: ProxyAddress;
  enabled: boolean;
}

export function checkProxyInput(input: ProxyInput, defaultHost: string): ProxySettings {
  // Toxiproxy's "missing required field" checks, in its order.
  if (typeof input.name !== 'string' || input.name === '') throw new FaultProxyError(400, 'missing required field: name');
  if (typeof input.upstream !== 'string' || input.upstream === '') throw new FaultProxyError(400, 'missing required field: upstream');
  if (typeof input.listen !== 'string') throw new FaultProxyError(400, 'missing required field: listen');
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw new FaultProxyError(400, 'bad request body: enabled must be true or false');
  return {
    name: input.name,
    listen: input.listen,
    listenAddress: parseAddress(input.listen, 'listen', defaultHost),
    upstream: input.upstream,
    upstreamAddress: parseAddress(input.upstream, 'upstream', defaultHost),
    enabled: input.enabled ?? true,
  };
}
