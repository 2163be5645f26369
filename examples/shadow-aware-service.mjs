// A Node.js service that honours live-assure shadow tags: run with REDIS_URL=redis://… PORT=3000.
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { createShadowAgent, createShadowAwareCache, routeShadowRedis, ShadowSwitch, withShadowContext } from 'live-assure/shadow';

if (!process.env.REDIS_URL) throw new Error('set REDIS_URL, e.g. redis://127.0.0.1:6379');
// On unless SHADOW_ROUTING=off; routing.set(false) whenever this instance cannot route shadow traffic: tagged requests then get 503.
const routing = new ShadowSwitch(process.env.SHADOW_ROUTING !== 'off');
// Inside a shadow request every key goes to shadow:<key>; production commands are untouched.
const redis = routeShadowRedis(new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 }), { routing, service: 'score-svc' });
redis.on('error', (error) => console.error(`redis: ${error.message}`));
// Outbound calls made inside a shadow request carry the tag to the next hop.
const upstream = createShadowAgent();
// Shadow requests neither read nor overwrite production's cached entries.
const cache = createShadowAwareCache({ ttlMs: 1000 });

const server = createServer(
  withShadowContext({ routing, service: 'score-svc', onError: (error) => console.error(error) }, async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const user = url.searchParams.get('user') ?? 'anonymous';
    await redis.zincrby('score:board', 1, user);
    if (process.env.AUDIT_URL) await request(process.env.AUDIT_URL, { method: 'POST', body: user, dispatcher: upstream });
    let top = cache.get('top');
    if (top === undefined) cache.set('top', (top = await redis.zrevrange('score:board', 0, 2)));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ top }));
  }),
);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`score-svc on ${JSON.stringify(server.address())}`));
