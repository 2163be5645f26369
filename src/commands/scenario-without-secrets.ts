import type { Scenario } from '../scenarios/schema.js';
import { redactRedisUrl } from '../shadow/redis-url.js';

/**
 * The scenario as the run directory keeps it: `${env:…}` has been substituted, so store passwords
 * and the control requests' headers (admin tokens) are masked before anything is written.
 */
export function scenarioWithoutSecrets(scenario: Scenario): Scenario {
  const stores = Object.fromEntries(
    Object.entries(scenario.shadow.stores).map(([name, store]) => [name, { redis: { ...store.redis, ...(store.redis.url === undefined ? {} : { url: redactRedisUrl(store.redis.url) }) } }]),
  );
  const failClosed = scenario.shadow.fail_closed;
  const masked = <R extends { headers?: Record<string, string> }>(request: R): R =>
    request.headers === undefined ? request : { ...request, headers: Object.fromEntries(Object.keys(request.headers).map((name) => [name, '***'])) };
  return {
    ...scenario,
    shadow: {
      ...scenario.shadow,
      stores,
      ...(failClosed === undefined
        ? {}
        : {
            fail_closed: {
              switch_off: masked(failClosed.switch_off),
              switch_on: masked(failClosed.switch_on),
              ...(failClosed.reported_off === undefined ? {} : { reported_off: masked(failClosed.reported_off) }),
            },
          }),
    },
  };
}
