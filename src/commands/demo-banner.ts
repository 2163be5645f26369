import type { DemoPlatform } from '../demo/demo-platform.js';

/** What `live-assure demo` prints at start: where things are, and a few things to try. */
export function demoBanner(platform: DemoPlatform, startMs: number): string {
  const gateway = platform.gatewayUrl;
  const auth = `-H 'authorization: Bearer ${platform.adminToken}'`;
  const json = `-H 'content-type: application/json'`;
  const lines = [
    `live-assure demo: reference live platform up in ${Math.round(startMs)} ms`,
    `  gateway      ${gateway}`,
    ...platform.services.map((service) => `  ${service.name.padEnd(12)} ${service.url}${service.gatewayVia === undefined ? '' : ` (the gateway goes through ${service.gatewayVia})`}`),
    `  storage      ${platform.storage} (shadow work goes to shadow:<key>)`,
    `  shadow       routing ${platform.shadowRouting.enabled ? 'on' : 'OFF: shadow requests get 503'}`,
    `  admin token  ${platform.adminToken}`,
    '',
    'Try:',
    `  curl -s '${gateway}/room/info?room_id=1'`,
    `  curl -s -X POST ${gateway}/danmaku/send ${json} -d '{"room_id":1,"uid":42,"msg":"hello"}'`,
    `  curl -s -X POST ${gateway}/danmaku/send ${json} -H 'x-live-assure-shadow: try-1' -d '{"room_id":1,"uid":42,"msg":"shadow"}'`,
    `  curl -s -X PUT ${gateway}/admin/flags/gift-effects-off ${auth} -d '{"on":true}'`,
    `  curl -s ${gateway}/metrics`,
    '',
    'Ctrl-C stops it.',
  ];
  return `${lines.join('\n')}\n`;
}
