import { Box, render, Text, type Instance } from 'ink';
import { formatClock, formatCount } from './format.js';
import { EventLog } from './event-log.js';
import { labelText } from './watch-lines.js';
import { firingGroups, initialWatchState, reduceWatchState, resolvedAlerts, type FiringGroup, type WatchAction, type WatchAlert, type WatchSopCard, type WatchState } from './watch-state.js';

/** How much of each list fits on a night-time screen; the rest is counted, never dropped silently. */
const SHOWN = { perSop: 5, unlinked: 10, resolved: 5 };

function More({ total, shown, what }: { total: number; shown: number; what: string }) {
  return total > shown ? <Text dimColor>{`    … and ${formatCount(total - shown)} more ${what}`}</Text> : null;
}

function AlertLine({ alert, now }: { alert: WatchAlert; now: number }) {
  const labels = labelText(alert.labels);
  const again = alert.firings > 1 ? `, firing ×${alert.firings}` : '';
  return (
    <Text>
      {`    ${alert.alertname}${labels === '' ? '' : ` ${labels}`}`}
      <Text dimColor>{`  for ${formatClock(now - alert.changedAt)}${again}`}</Text>
    </Text>
  );
}

function UnlinkedGroup({ group, now }: { group: FiringGroup; now: number }) {
  return (
    <Box flexDirection="column">
      <Text backgroundColor="red" color="white" bold>{` UNLINKED: ${group.alerts.length} firing with no SOP — a person must decide `}</Text>
      {group.alerts.slice(0, SHOWN.unlinked).map((alert) => (
        <Text key={alert.fingerprint} color="red" bold>
          {`  ‼ ${alert.alertname}${labelText(alert.labels) === '' ? '' : ` ${labelText(alert.labels)}`}`}
          <Text dimColor>{`  for ${formatClock(now - alert.changedAt)}`}</Text>
        </Text>
      ))}
      <More total={group.alerts.length} shown={SHOWN.unlinked} what="unlinked" />
    </Box>
  );
}

function SopGroup({ group, now }: { group: FiringGroup; now: number }) {
  const card: WatchSopCard | undefined = group.sop;
  const how = [...new Set(group.alerts.map((alert) => alert.by ?? 'matchers'))].join(', ');
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="yellow" bold>{`● ${group.alerts.length} firing`}</Text>
        {` → SOP ${group.id ?? ''}`}
        <Text dimColor>{` (by ${how})`}</Text>
        {card === undefined ? '' : `: ${card.title}`}
      </Text>
      {card?.steps.map((step, index) => <Text key={index}>{`    ${index + 1}. ${step}`}</Text>)}
      {group.alerts.slice(0, SHOWN.perSop).map((alert) => (
        <AlertLine key={alert.fingerprint} alert={alert} now={now} />
      ))}
      <More total={group.alerts.length} shown={SHOWN.perSop} what="alerts" />
    </Box>
  );
}

/** The night at a glance: where Alertmanager should send, what fires and which SOP answers it, what resolved. */
export function WatchDashboard({ state }: { state: WatchState }) {
  const groups = firingGroups(state);
  const resolved = resolvedAlerts(state);
  const firing = groups.reduce((sum, group) => sum + group.alerts.length, 0);
  const unlinked = groups.find((group) => group.id === undefined)?.alerts.length ?? 0;
  const { receiver, counts, now } = state;
  return (
    <>
      <EventLog lines={state.log} />
      <Box flexDirection="column" gap={1}>
        <Box flexDirection="column">
          <Text>
            <Text bold>live-assure watch</Text>
            {receiver === undefined ? '  starting the receiver…' : `  webhooks at ${receiver.url} (${receiver.tokenRequired ? 'Bearer token required' : 'no token'})`}
          </Text>
          {receiver === undefined ? null : <Text dimColor>{`${state.sops.size} SOPs from ${receiver.sopsDir}; run dir ${receiver.runDir}; up ${formatClock(now - receiver.since)}${state.stopping ? '; stopping…' : '; Ctrl-C stops'}`}</Text>}
          <Text>
            {`firing ${formatCount(firing)}  `}
            <Text color={unlinked > 0 ? 'red' : undefined} bold={unlinked > 0}>{`unlinked ${formatCount(unlinked)}`}</Text>
            {`  resolved ${formatCount(resolved.length)}  notifications ${formatCount(counts.notifications)} (${formatCount(counts.repeats)} re-sent alerts${counts.truncated > 0 ? `, ${formatCount(counts.truncated)} left out by max_alerts` : ''})`}
          </Text>
        </Box>
        {firing === 0 ? <Text color="green">nothing firing</Text> : null}
        {groups.map((group) => (group.id === undefined ? <UnlinkedGroup key="unlinked" group={group} now={now} /> : <SopGroup key={group.id} group={group} now={now} />))}
        {resolved.length === 0 ? null : (
          <Box flexDirection="column">
            <Text bold>resolved</Text>
            {resolved.slice(0, SHOWN.resolved).map((alert) => (
              <Text key={alert.fingerprint}>
                <Text color="green">{`  ✓ ${alert.alertname}${labelText(alert.labels) === '' ? '' : ` ${labelText(alert.labels)}`}`}</Text>
                <Text dimColor>{`  ${formatClock(now - alert.changedAt)} ago${alert.sop === undefined ? ', unlinked' : `, SOP ${alert.sop}`}`}</Text>
              </Text>
            ))}
            <More total={resolved.length} shown={SHOWN.resolved} what="resolved" />
          </Box>
        )}
      </Box>
    </>
  );
}

const FRAME_MS = 100;
const TICK_MS = 1000;

export interface WatchView {
  dispatch(action: WatchAction): void;
  close(): void;
}

/**
 * Mounts the live view. Actions are queued and folded in at most once per 100 ms (≤10 fps): a
 * storm of notifications costs one render per frame, not one per notification. A 1 s tick keeps
 * the "for 0:42" clocks moving when nothing arrives. `close` draws the last frame and leaves it.
 */
export function createWatchDashboard(stdout: NodeJS.WriteStream, sops: readonly WatchSopCard[], now: () => number): WatchView {
  let state = initialWatchState(sops, now());
  let queue: WatchAction[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Ctrl-C must reach the command's handler, which writes the run directory; Ink must not exit on it.
  const instance: Instance = render(<WatchDashboard state={state} />, { stdout, patchConsole: false, exitOnCtrlC: false, maxFps: 1000 / FRAME_MS });
  const flush = (): void => {
    timer = undefined;
    state = reduceWatchState(state, queue);
    queue = [];
    instance.rerender(<WatchDashboard state={state} />);
  };
  const ticker = setInterval(() => {
    queue.push({ type: 'tick', at: now() });
    if (timer === undefined) flush();
  }, TICK_MS);
  ticker.unref();
  return {
    dispatch(action) {
      queue.push(action);
      timer ??= setTimeout(flush, FRAME_MS);
    },
    close() {
      clearInterval(ticker);
      if (timer !== undefined) clearTimeout(timer);
      flush();
      instance.unmount();
    },
  };
}
