import { FaultProxyError, type FaultProxySet } from '../../faults/proxy-model.js';
import { createToxiproxyClient, ToxiproxyError, type ToxiproxyClient } from '../../faults/toxiproxy-client.js';
import type { ToxicBackend } from './fault-context.js';

/** Toxics on the fault proxies this process serves. */
export function builtInToxics(proxies: FaultProxySet): ToxicBackend {
  return {
    async add(proxy, toxic) {
      try {
        proxies.addToxic(proxy, toxic);
      } catch (error) {
        if (error instanceof FaultProxyError && error.status === 404) throw new FaultProxyError(404, unknownProxy(proxy, proxies.list().map(({ name }) => name)));
        throw error;
      }
    },
    async remove(proxy, name) {
      proxies.removeToxic(proxy, name);
    },
  };
}

/** Toxics on a Toxiproxy (or `live-assure proxy`) at `url`. */
export function toxiproxyToxics(url: string): ToxicBackend {
  const client = createToxiproxyClient(url);
  return {
    async add(proxy, toxic) {
      try {
        await client.addToxic(proxy, toxic);
        return;
      } catch (error) {
        if (statusOf(error) === 404) throw new ToxiproxyError(404, unknownProxy(proxy, await proxyNames(client)), `POST /proxies/${proxy}/toxics`);
        if (!(toxic.stream === 'both' && statusOf(error) === 400 && /stream/i.test(String(error)))) throw error;
      }
      // A real Toxiproxy's latency is one-way and it knows no `both`: one toxic per direction.
      const [upstream, downstream] = halves(toxic.name);
      await client.addToxic(proxy, { ...toxic, name: upstream, stream: 'upstream' });
      try {
        await client.addToxic(proxy, { ...toxic, name: downstream, stream: 'downstream' });
      } catch (error) {
        await client.removeToxic(proxy, upstream).catch(() => undefined);
        throw error;
      }
    },
    async remove(proxy, name) {
      let missing: unknown;
      try {
        await client.removeToxic(proxy, name);
        return;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        missing = error;
      }
      const removed = await Promise.allSettled(halves(name).map((half) => client.removeToxic(proxy, half)));
      const failed = removed.find((result) => result.status === 'rejected' && statusOf(result.reason) !== 404);
      if (failed?.status === 'rejected') throw failed.reason;
      if (removed.every((result) => result.status === 'rejected')) throw missing;
    },
  };
}

/** The HTTP status a fault proxy (built-in or Toxiproxy) answered an error with: 404 missing, 409 exists, 400 invalid. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof FaultProxyError) return error.status;
  if (error instanceof ToxiproxyError) return error.status ?? undefined;
  return undefined;
}

function halves(name: string): [string, string] {
  return [`${name}-upstream`, `${name}-downstream`];
}

function unknownProxy(proxy: string, known: readonly string[]): string {
  return `no proxy named ${JSON.stringify(proxy)}; ${known.length === 0 ? 'there are no proxies' : `proxies: ${known.join(', ')}`}`;
}

async function proxyNames(client: ToxiproxyClient): Promise<string[]> {
  return Object.keys(await client.proxies().catch(() => ({})));
}
