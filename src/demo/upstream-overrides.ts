/** The services behind the gateway, by the names the gateway, fault hooks and fault proxies use. */
export const DEMO_SERVICES = ['room-svc', 'danmaku-svc', 'gift-svc'] as const;
export type DemoService = (typeof DEMO_SERVICES)[number];

/** Where the gateway sends a service's traffic instead of the service itself: `host:port` (e.g. a fault proxy in front of it). */
export type UpstreamOverrides = Partial<Record<DemoService, string>>;

// A host name, an IPv4 address or a bracketed IPv6 address, then a port.
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

function isDemoService(name: string): name is DemoService {
  return DEMO_SERVICES.some((service) => service === name);
}

/** Reads one `<service>=<host:port>`; the error says what is wrong in one line. */
function parseUpstreamOverride(text: string): { service: DemoService; address: string } | { error: string } {
  const equals = text.indexOf('=');
  if (equals < 0) return { error: `--upstream must be <service>=<host:port>, e.g. gift-svc=127.0.0.1:7003, not ${JSON.stringify(text)}` };
  const service = text.slice(0, equals);
  const address = text.slice(equals + 1);
  if (!isDemoService(service)) return { error: `--upstream: no service ${JSON.stringify(service)}; the services are ${DEMO_SERVICES.join(', ')}` };
  const port = Number(ADDRESS.exec(address)?.[1]);
  if (!(port >= 1 && port <= 65_535)) return { error: `--upstream ${service}: expected host:port with a port from 1 to 65535, not ${JSON.stringify(address)}` };
  return { service, address };
}

/** Reads every `--upstream`; a service given twice is an error. */
export function parseUpstreamOverrides(texts: readonly string[]): UpstreamOverrides | { error: string } {
  const overrides: UpstreamOverrides = {};
  for (const text of texts) {
    const parsed = parseUpstreamOverride(text);
    if ('error' in parsed) return parsed;
    if (overrides[parsed.service] !== undefined) return { error: `--upstream ${parsed.service} is given twice` };
    overrides[parsed.service] = parsed.address;
  }
  return overrides;
}
