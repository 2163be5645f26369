import type { FaultProxySet, Proxy, Toxic } from './proxy-model.js';

/** A toxic in the key order Toxiproxy's Go structs marshal it, so diffs against a real server stay quiet. */
export function toxicJson(toxic: Toxic): Record<string, unknown> {
  return { attributes: toxic.attributes, name: toxic.name, type: toxic.type, stream: toxic.stream, toxicity: toxic.toxicity };
}

export function proxyJson(proxy: Proxy): Record<string, unknown> {
  return { name: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled, toxics: proxy.toxics.map(toxicJson) };
}

/** `GET /proxies`: an object keyed by proxy name, keys sorted as Go marshals a map. */
export function proxyIndexJson(proxies: readonly Proxy[]): Record<string, unknown> {
  const sorted = [...proxies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Object.fromEntries(sorted.map((proxy) => [proxy.name, proxyJson(proxy)]));
}

const FAMILIES = [
  { name: 'toxiproxy_proxy_received_bytes_total', help: 'The total number of bytes received on a given proxy link in a given direction', field: 'received' },
  { name: 'toxiproxy_proxy_sent_bytes_total', help: 'The total number of bytes sent on a given proxy link in a given direction', field: 'sent' },
] as const;

/** `GET /metrics`: Toxiproxy's `-proxy-metrics` counters in the Prometheus text format (labels sorted, as client_golang writes them). */
export function metricsText(bytes: ReturnType<FaultProxySet['bytes']>): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} counter`);
    for (const row of bytes) {
      const labels = `direction="${escapeLabel(row.direction)}",listener="${escapeLabel(row.listen)}",proxy="${escapeLabel(row.proxy)}",upstream="${escapeLabel(row.upstream)}"`;
      lines.push(`${family.name}{${labels}} ${row[family.field]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
