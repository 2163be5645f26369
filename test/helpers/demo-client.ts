import { startDemoPlatform, type DemoOptions, type DemoPlatform } from '../../src/demo/demo-platform.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A demo platform on free loopback ports, with a tiny HTTP client for its gateway. */
export interface DemoUnderTest {
  platform: DemoPlatform;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  admin(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export const SHADOW = { 'x-live-assure-shadow': 'run-test-1' };

export async function startDemo(options: DemoOptions = {}): Promise<DemoUnderTest> {
  const platform = await startDemoPlatform({ port: 0, adminToken: 'test-admin-token', ...options });
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (metrics): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return {
    platform,
    get: (path, headers = {}) => call('GET', path, undefined, headers),
    post: (path, body, headers = {}) => call('POST', path, body, headers),
    admin: (method, path, body) => call(method, path, body, { authorization: `Bearer ${platform.adminToken}` }),
    close: () => platform.close(),
  };
}
