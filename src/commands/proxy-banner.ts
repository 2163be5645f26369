import type { Proxy } from '../faults/proxy-model.js';

/** What `live-assure proxy` prints at start: where the API is, the proxies, a few calls to try. */
export function proxyBanner(apiUrl: string, seed: number, proxies: readonly Proxy[]): string {
  const json = `-H 'content-type: application/json'`;
  const example = proxies[0]?.name ?? 'redis';
  const lines = [
    `live-assure proxy: Toxiproxy-compatible API on ${apiUrl} (seed ${seed})`,
    ...(proxies.length === 0
      ? ['  no proxies yet: create them with POST /proxies, POST /populate or --populate <file.json>']
      : proxies.map((proxy) => `  ${proxy.name.padEnd(12)} ${proxy.listen} → ${proxy.upstream}${proxy.enabled ? '' : ' (disabled)'}`)),
    '',
    'Try:',
    ...(proxies.length === 0 ? [`  curl -s -X POST ${apiUrl}/proxies ${json} -d '{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379"}'`] : []),
    `  curl -s -X POST ${apiUrl}/proxies/${example}/toxics ${json} -d '{"type":"latency","attributes":{"latency":100,"jitter":10}}'`,
    `  curl -s -X PATCH ${apiUrl}/proxies/${example} ${json} -d '{"enabled":false}'`,
    `  curl -s -X POST ${apiUrl}/reset`,
    `  toxiproxy-cli -h ${apiUrl.replace(/^http:\/\//, '')} list`,
    '',
    'Ctrl-C stops it.',
  ];
  return `${lines.join('\n')}\n`;
}
