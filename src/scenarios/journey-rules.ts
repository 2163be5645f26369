import { didYouMean } from './did-you-mean.js';
import { parseJsonPath } from './json-path.js';
import type { Report } from './rule-report.js';
import type { Journey, Scenario } from './schema.js';
import type { DeclaredNames } from './sound-sections.js';
import { stepMethodsGiven } from './step-request.js';
import { stepPlaceholders, TEMPLATE_BUILTINS, templateNamesIn } from './templates.js';
import { formatDuration } from './unit-text.js';

/** Above this a per-viewer rate is almost surely a unit slip (`/s` for `/min`). */
const MAX_PER_VIEWER_PER_SECOND = 1;
/** Keeps every rate finite through the call graph, far above any real event. */
const MAX_FIXED_RATE = 1e9;

function checkRates(name: string, journey: Journey, eventEnd: number | undefined, report: Report): void {
  const path = ['journeys', name];
  const rates = (journey.per_viewer === undefined ? 0 : 1) + (journey.rate === undefined ? 0 : 1);
  if (rates !== 1) report(path, 'give exactly one of per_viewer (e.g. 0.6/min) or rate (e.g. 200/s)');
  if (journey.per_viewer !== undefined && journey.per_viewer > MAX_PER_VIEWER_PER_SECOND) {
    const perMinute = Math.round(journey.per_viewer * 60 * 1000) / 1000;
    report([...path, 'per_viewer'], `every viewer starting this journey ${perMinute} times a minute is not plausible: did you mean a rate per minute?`);
  }
  if (journey.rate !== undefined && journey.rate > MAX_FIXED_RATE) report([...path, 'rate'], `must be ≤ ${MAX_FIXED_RATE.toLocaleString('en-US')}/s`);
  if (eventEnd === undefined) return;
  journey.surges.forEach((surge, index) => {
    if (surge.for <= 0) report([...path, 'surges', index, 'for'], 'a surge lasts longer than 0s');
    if (surge.at > eventEnd) report([...path, 'surges', index, 'at'], `starts after the audience curve ends (${formatDuration(eventEnd)})`);
  });
}

function checkSteps(name: string, journey: Journey, keys: readonly string[], report: Report): void {
  const known = [...keys, ...TEMPLATE_BUILTINS];
  const seen = new Set<string>();
  const captured: string[] = [];
  journey.steps.forEach((step, index) => {
    const stepPath = ['journeys', name, 'steps', index];
    if (seen.has(step.name)) report([...stepPath, 'name'], `another step of this journey is already named "${step.name}"`);
    seen.add(step.name);
    const methods = stepMethodsGiven(step);
    if (methods.length !== 1) {
      report(stepPath, methods.length === 0 ? 'needs a method and path, e.g. GET: /room/info' : `give one method, not ${methods.join(' and ')}`);
    }
    for (const method of methods) {
      const target = step[method] ?? '';
      if (!target.startsWith('/') && !/^https?:\/\//.test(target)) report([...stepPath, method], `expected a path starting with "/", got "${target}"`);
    }
    if (step.json !== undefined && step.body !== undefined) report([...stepPath, 'body'], 'give json or body, not both');
    const usable = [...known, ...captured];
    for (const { name: ref, path } of stepPlaceholders(step)) {
      if (!usable.includes(ref)) {
        const capturedLater = journey.steps.slice(index).some((later) => later.capture?.[ref] !== undefined);
        const why = capturedLater ? ' (it is captured only by this or a later step)' : didYouMean(ref, usable);
        report([...stepPath, ...path], `"{{${ref}}}" is not a key of \`keys\`, a built-in (${TEMPLATE_BUILTINS.join(', ')}) nor captured by an earlier step${why}`);
      }
    }
    for (const [captureName, pathText] of Object.entries(step.capture ?? {})) {
      const parsed = parseJsonPath(pathText);
      if ('error' in parsed) report([...stepPath, 'capture', captureName], parsed.error);
      if (known.includes(captureName)) report([...stepPath, 'capture', captureName], `"${captureName}" is already a key or built-in: captures need their own name`, 'key');
      captured.push(captureName);
    }
    // A write's key is named after the response came, so this step's own captures may be in it.
    const writable = [...known, ...captured];
    step.writes.forEach((write, writeIndex) => {
      for (const { name: ref } of templateNamesIn(write.redis)) {
        if (!writable.includes(ref)) report([...stepPath, 'writes', writeIndex, 'redis'], `"{{${ref}}}" is not a key, a built-in nor captured by this or an earlier step${didYouMean(ref, writable)}`);
      }
    });
  });
}

/** Rates, surges and steps of every journey; templates may name any key the document declares. */
export function checkJourneys(scenario: Partial<Scenario>, declared: DeclaredNames, report: Report): void {
  const eventEnd = scenario.audience?.curve.at(-1)?.at;
  const keys = declared.keys;
  for (const [name, journey] of Object.entries(scenario.journeys ?? {})) {
    checkRates(name, journey, eventEnd, report);
    checkSteps(name, journey, keys, report);
  }
}
