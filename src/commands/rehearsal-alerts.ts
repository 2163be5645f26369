import { EnvironmentError, UsageError } from '../errors.js';
import type { LoadedSop } from '../sops/load-sop.js';
import { alertMatcherSets, parseAlertListen } from '../sops/alert-detection.js';
import { startAlertFeed, type RunningAlertFeed } from '../watch/rehearsal-alert-feed.js';

/** Where an SOP's alert receiver listens and the token it asks for; undefined when its detection is not an alert. */
export interface AlertReceiverPlan {
  host: string;
  port: number;
  token?: string;
}

/**
 * Read before anything runs, so a missing token is exit 2 with nothing touched. The SOP rules
 * have already refused a `listen` that does not parse.
 */
export function alertReceiverPlan(entry: LoadedSop, env: Readonly<Record<string, string | undefined>>): AlertReceiverPlan | undefined {
  const alert = entry.sop.detection.alert;
  if (alert === undefined) return undefined;
  const listen = parseAlertListen(alert.listen);
  if (listen === undefined) throw new UsageError(`${entry.file}: detection.alert.listen: expected host:port, got ${JSON.stringify(alert.listen)}`);
  if (alert.token_env === undefined) return listen;
  const token = env[alert.token_env];
  if (token === undefined || token === '') {
    throw new UsageError(`${entry.file}: detection.alert.token_env: $${alert.token_env} is not set`, `set it to the Bearer token in Alertmanager's http_config.authorization.credentials, or drop token_env to ask for none`);
  }
  return { ...listen, token };
}

/** The rehearsal's alert receiver, up before the load starts; a port already taken is an environment failure (exit 3). */
export async function startRehearsalAlerts(entry: LoadedSop, plan: AlertReceiverPlan, now: () => number): Promise<RunningAlertFeed> {
  const alert = entry.sop.detection.alert;
  const matcherSets = alert === undefined ? [] : alertMatcherSets(entry.sop, alert);
  try {
    return await startAlertFeed({ ...plan, sopId: entry.sop.id, matcherSets, now });
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new EnvironmentError(`cannot listen for alerts on ${plan.host}:${plan.port} (detection.alert.listen): ${reason}`, 'stop what holds the port (a `live-assure watch`?) or give the SOP another detection.alert.listen, and point Alertmanager there');
  }
}
