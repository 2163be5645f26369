import { readPopulate, readProxyCreate, readProxyUpdate, readToxicCreate, readToxicUpdate } from './api-bodies.js';
import { ApiError, type Reply } from './api-http.js';
import { metricsText, proxyIndexJson, proxyJson, toxicJson } from './api-json.js';
import type { RouteName } from './api-routes.js';
import type { FaultProxySet, Toxic } from './proxy-model.js';

export interface HandlerContext {
  proxies: FaultProxySet;
  version: string;
  /** The `{proxy}` and `{toxic}` path parameters, decoded ('' when the route has none). */
  proxy: string;
  toxic: string;
  /** The request body as JSON; a 400 when it is not. */
  body(): Promise<unknown>;
}

type Handler = (context: HandlerContext) => Promise<Reply>;

function findToxic(context: HandlerContext): Toxic {
  const toxic = context.proxies.get(context.proxy).toxics.find((candidate) => candidate.name === context.toxic);
  if (toxic === undefined) throw new ApiError(404, 'toxic not found');
  return toxic;
}

/** One handler per route, each answering as the Toxiproxy handler of the same name does (statuses included). */
export const handlers: Readonly<Record<RouteName, Handler>> = {
  async reset({ proxies }) {
    await proxies.reset();
    return { status: 204 };
  },
  async proxyIndex({ proxies }) {
    return { status: 200, json: proxyIndexJson(proxies.list()) };
  },
  async proxyCreate(context) {
    const input = readProxyCreate(await context.body());
    return { status: 201, json: proxyJson(await context.proxies.create(input)) };
  },
  async populate(context) {
    const inputs = readPopulate(await context.body());
    const created = await context.proxies.populate(inputs);
    return { status: 201, json: { proxies: created.map(proxyJson) } };
  },
  async proxyShow({ proxies, proxy }) {
    return { status: 200, json: proxyJson(proxies.get(proxy)) };
  },
  async proxyUpdate(context) {
    // A missing proxy is a 404 whatever the body holds, as in Toxiproxy (it looks the proxy up first).
    context.proxies.get(context.proxy);
    const changes = readProxyUpdate(await context.body());
    return { status: 200, json: proxyJson(await context.proxies.update(context.proxy, changes)) };
  },
  async proxyDelete({ proxies, proxy }) {
    await proxies.remove(proxy);
    return { status: 204 };
  },
  async toxicIndex({ proxies, proxy }) {
    return { status: 200, json: proxies.get(proxy).toxics.map(toxicJson) };
  },
  async toxicCreate(context) {
    context.proxies.get(context.proxy);
    const input = readToxicCreate(await context.body());
    // 200, not 201: Toxiproxy's ToxicCreate never sets a status.
    return { status: 200, json: toxicJson(context.proxies.addToxic(context.proxy, input)) };
  },
  async toxicShow(context) {
    return { status: 200, json: toxicJson(findToxic(context)) };
  },
  async toxicUpdate(context) {
    findToxic(context);
    const changes = readToxicUpdate(await context.body());
    return { status: 200, json: toxicJson(context.proxies.updateToxic(context.proxy, context.toxic, changes)) };
  },
  async toxicDelete({ proxies, proxy, toxic }) {
    proxies.removeToxic(proxy, toxic);
    return { status: 204 };
  },
  async version({ version }) {
    // Toxiproxy ≥ 2.7 answers `{"version": "2.x.y"}` (this spacing) with a newline; clients print it as is.
    return { status: 200, text: { body: `{"version": ${JSON.stringify(version)}}\n`, contentType: 'application/json;charset=utf-8' } };
  },
  async metrics({ proxies }) {
    return { status: 200, text: { body: metricsText(proxies.bytes()), contentType: 'text/plain; version=0.0.4; charset=utf-8' } };
  },
};
