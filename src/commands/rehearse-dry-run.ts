import type { LoadPlan } from '../engine/load-plan.js';
import { parseAlertListen } from '../sops/alert-detection.js';
import { hypothesisNames } from '../sops/phase-judge.js';
import { describeAction, describeDetection, describeTrigger, formatSeconds } from '../sops/sop-descriptions.js';
import type { Sop } from '../sops/sop-schema.js';


function phaseLine(name: string, phase: Sop['verification']['baseline']): string {
  const settle = phase.settle > 0 ? `settle ${formatSeconds(phase.settle)}, ` : '';
  return `  ${name.padEnd(10)} ${settle}window ${formatSeconds(phase.window)}: ${hypothesisNames(phase).join('; ')}`;
}

/**
 * What a rehearsal of `sop` will do, in order, with nothing touched: the `--dry-run` output.
 * Times are the least each phase takes; detection may end sooner than its bound.
 */
export function dryRunTimeline(sop: Sop, plan: Pick<LoadPlan, 'ratePerSecond' | 'target'>, file: string): string {
  const { verification } = sop;
  const load = sop.load.scenario !== undefined ? `scenario ${sop.load.scenario}${sop.load.scale === undefined ? '' : ` at scale ${sop.load.scale}`}` : `GET ${sop.load.url ?? ''}`;
  const least = verification.baseline.settle + verification.baseline.window + verification.degraded.settle + verification.degraded.window + verification.recovered.settle + verification.recovered.window;
  const lines = [
    `${sop.id} (${file}): ${sop.title}`,
    `  load       ${load}: ${Math.round(plan.ratePerSecond * 100) / 100} journeys/s against ${plan.target}, for the whole rehearsal`,
    phaseLine('baseline', verification.baseline),
    `  inject     ${describeTrigger(sop)}`,
    `  detect     ${describeDetection(sop)}`,
    ...alertReceiverLines(sop),
    ...sop.mitigation.map((step, index) => `  ${index === 0 ? 'mitigate' : ''.padEnd(8)}   ${index + 1}. ${step.name}: ${describeStepAction(step)}`),
    phaseLine('degraded', verification.degraded),
    `  rollback   remove the fault${undoLines(sop)}`,
    phaseLine('recovered', verification.recovered),
    `  abort      ${[...sop.abort.when, `after ${formatSeconds(sop.abort.max_duration)}`].join('; ')} (rollback still runs)`,
    `  takes      at least ${formatSeconds(least)} plus detection (≤ ${formatSeconds(sop.detection.within)}) and the steps`,
  ];
  return `${lines.join('\n')}\n`;
}

function describeStepAction(step: Sop['mitigation'][number]): string {
  const undo = step.undo === undefined ? 'no undo' : step.undo === 'restore-previous' ? 'undo: restore the previous value' : `undo: ${describeAction(step.undo)}`;
  return `${describeAction(step)} (${undo})`;
}

function undoLines(sop: Sop): string {
  const undone = sop.mitigation.filter((step) => step.undo !== undefined).map((step) => step.name).reverse();
  return undone.length === 0 ? '' : `, then undo in reverse: ${undone.join('; ')}`;
}

/** Where the rehearsal listens for Alertmanager, so the dry run is what to configure it with. */
function alertReceiverLines(sop: Sop): string[] {
  const alert = sop.detection.alert;
  if (alert === undefined) return [];
  const listen = parseAlertListen(alert.listen);
  const host = listen === undefined ? alert.listen : `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  const token = alert.token_env === undefined ? 'no token asked for' : `Bearer token from $${alert.token_env}`;
  return [`             a firing alert notified to http://${host}/webhook after injection (${token}); the receiver listens from before the load starts`];
}
