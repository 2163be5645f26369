/** Toxiproxy's routes (`api.go` `Routes`), matched as gorilla/mux matches them: whole segments, methods per route. */
export type RouteName =
  | 'reset'
  | 'proxyIndex'
  | 'proxyCreate'
  | 'populate'
  | 'proxyShow'
  | 'proxyUpdate'
  | 'proxyDelete'
  | 'toxicIndex'
  | 'toxicCreate'
  | 'toxicShow'
  | 'toxicUpdate'
  | 'toxicDelete'
  | 'version'
  | 'metrics';

interface RouteSpec {
  /** Literal segments, or `:proxy` / `:toxic` for a non-empty parameter. */
  segments: readonly string[];
  methods: Readonly<Record<string, RouteName>>;
}

const ROUTES: readonly RouteSpec[] = [
  { segments: ['reset'], methods: { POST: 'reset' } },
  { segments: ['proxies'], methods: { GET: 'proxyIndex', POST: 'proxyCreate' } },
  { segments: ['populate'], methods: { POST: 'populate' } },
  // POST is Toxiproxy's deprecated spelling of PATCH (2.6.0); clients still send it.
  { segments: ['proxies', ':proxy'], methods: { GET: 'proxyShow', POST: 'proxyUpdate', PATCH: 'proxyUpdate', DELETE: 'proxyDelete' } },
  { segments: ['proxies', ':proxy', 'toxics'], methods: { GET: 'toxicIndex', POST: 'toxicCreate' } },
  { segments: ['proxies', ':proxy', 'toxics', ':toxic'], methods: { GET: 'toxicShow', POST: 'toxicUpdate', PATCH: 'toxicUpdate', DELETE: 'toxicDelete' } },
  { segments: ['version'], methods: { GET: 'version' } },
  { segments: ['metrics'], methods: { GET: 'metrics' } },
];

export type RouteMatch =
  | { kind: 'route'; name: RouteName; proxy: string; toxic: string }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed' };

export function matchRoute(method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').slice(1);
  let pathMatched = false;
  for (const route of ROUTES) {
    const params = matchSegments(route.segments, segments);
    if (params === undefined) continue;
    pathMatched = true;
    const name = route.methods[method];
    if (name !== undefined) return { kind: 'route', name, proxy: params.proxy ?? '', toxic: params.toxic ?? '' };
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const actual = segments[index] ?? '';
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      const decoded = decodeSegment(actual);
      if (decoded === undefined) return undefined;
      params[expected.slice(1)] = decoded;
    } else if (actual !== expected) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
