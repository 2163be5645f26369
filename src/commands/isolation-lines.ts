import type { FailClosedProbe, PreflightReport, StepProbe } from '../engine/shadow-preflight.js';
import type { ShadowSummary } from '../engine/shadow-summary.js';
import type { AuditReport } from '../shadow/isolation-audit.js';
import { describeHit } from '../shadow/leak-evidence.js';
import type { Paint } from './colour.js';

const count = (value: number): string => value.toLocaleString('en-US');

/** One line per probed write step: where the probe's values were found, or what went wrong. */
export function describeStepProbe(probe: StepProbe): string {
  if (!probe.ok) return `${probe.step} (journey ${probe.journey}): ${probe.problem ?? 'failed'}`;
  const keys = probe.keys.map((key) => `${key.shadow_key} (${key.in_shadow[0]?.where ?? '?'}), not in ${key.key}`).join('; ');
  return `${probe.step}: probe ${probe.tokens.join(', ')} found in ${keys}`;
}

export function describeFailClosed(probe: FailClosedProbe): string {
  if (!probe.ok) return `fail-closed check: ${probe.problem ?? 'failed'}`;
  return `fail-closed check: with shadow routing off, ${probe.step ?? 'the probe'} was refused (HTTP ${probe.status ?? '?'}) and wrote nothing; routing is back on`;
}

export function describePreflight(report: PreflightReport): string {
  const failed = report.steps.filter((probe) => !probe.ok).length + (report.fail_closed?.ok === false ? 1 : 0);
  const checks = report.steps.length + (report.fail_closed === undefined ? 0 : 1);
  if (report.interrupted === true) return `interrupted after ${report.steps.length} write step${report.steps.length === 1 ? '' : 's'}: no load was sent`;
  return report.ok
    ? `${report.steps.length} write step${report.steps.length === 1 ? '' : 's'} proven isolated${report.fail_closed === undefined ? '' : report.fail_closed.left_off === true ? ', fails closed (routing was off before, and is left off)' : ', fails closed'}`
    : `${failed} of ${checks} isolation checks failed: no load was sent`;
}

export function describeAudit(audit: AuditReport): string {
  const shadow = Object.entries(audit.shadow_keys).map(([store, keys]) => `${count(keys)} shadow key${keys === 1 ? '' : 's'} in ${store}`).join(', ');
  const scan = audit.marker_scan_complete ? '' : ' (the marker scan stopped at its bound)';
  if (audit.production_hits === 0) return `0 production hits in ${count(audit.production_keys_checked)} production keys looked up${scan}; ${shadow}`;
  const hits = `${count(audit.production_hits)} PRODUCTION HIT${audit.production_hits === 1 ? '' : 'S'}`;
  return `${hits} — ${audit.hits.slice(0, 3).map(describeHit).join('; ')} (live-assure never deletes production data: remove it by hand; summary.json lists up to 20 hits)`;
}

export function describeCleanup(stores: ReadonlyArray<{ store: string; prefix: string; deleted: number }>): string {
  return stores.map((store) => `${count(store.deleted)} key${store.deleted === 1 ? '' : 's'} under "${store.prefix}" deleted from ${store.store}`).join(', ');
}

/** The isolation block of the end-of-run report. */
export function renderShadowSummary(shadow: ShadowSummary, paint: { red: Paint }): string {
  let text = '\n  write isolation\n';
  for (const step of shadow.unisolated) text += `    ${paint.red(`✗ UNISOLATED: ${step} wrote without proven isolation (--allow-unisolated-writes)`)}\n`;
  const preflight = shadow.preflight;
  if ('skipped' in preflight) text += `    – preflight skipped: ${preflight.skipped}\n`;
  else text += `    ${preflight.ok ? '✓' : '✗'} preflight: ${describePreflight(preflight)}\n`;
  if (shadow.sentinel !== undefined) {
    const sentinel = shadow.sentinel;
    const unwatched = sentinel.failed_checks > 0 ? `, ${sentinel.failed_checks} checks FAILED to run` : '';
    text += `    ${sentinel.hits.length === 0 && sentinel.failed_checks === 0 ? '✓' : '✗'} sentinel: ${count(sentinel.hits.length)} hits in ${count(sentinel.checks)} checks of ${count(sentinel.writes_checked)} sampled writes (of ${count(sentinel.writes_seen)})${unwatched}\n`;
    for (const hit of sentinel.hits.slice(0, 3)) text += `        ${describeHit(hit)}\n`;
  }
  const audit = shadow.audit;
  if (audit !== undefined) text += 'failed' in audit ? `    ✗ audit could not run: ${audit.failed}\n` : `    ${audit.production_hits === 0 ? '✓' : '✗'} audit: ${describeAudit(audit)}\n`;
  const cleanup = shadow.cleanup;
  if (cleanup !== undefined) {
    if ('kept' in cleanup) text += '    – cleanup skipped (--keep-shadow): shadow data left in place\n';
    else if ('failed' in cleanup) text += `    ✗ CLEANUP FAILED: ${cleanup.failed}; ${cleanup.left}\n`;
    else text += `    ✓ cleanup: ${describeCleanup(cleanup.stores)}\n`;
  }
  return text;
}
