import type { Step } from './schema.js';
import { stepMethodsGiven } from './step-request.js';

/** `{{name}}` placeholders in step paths, headers and bodies. */

/** Names every template may use besides the scenario's keys. */
export const TEMPLATE_BUILTINS = ['uuid', 'seq', 'now', 'run_id', 'marker'] as const;

export const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

function templateNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/** Every placeholder in a JSON-like value, with the path to the string that holds it. */
export function templateNamesIn(value: unknown, path: PropertyKey[] = []): Array<{ name: string; path: PropertyKey[] }> {
  if (typeof value === 'string') return templateNames(value).map((name) => ({ name, path }));
  if (Array.isArray(value)) return value.flatMap((item, index) => templateNamesIn(item, [...path, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => templateNamesIn(item, [...path, key]));
  }
  return [];
}

/** Every placeholder a step uses, with its path inside the step (`GET`, `json.room_id`, …). */
export function stepPlaceholders(step: Step): Array<{ name: string; path: PropertyKey[] }> {
  return [
    ...stepMethodsGiven(step).flatMap((method) => templateNamesIn(step[method], [method])),
    ...templateNamesIn(step.headers, ['headers']),
    ...templateNamesIn(step.json, ['json']),
    ...templateNamesIn(step.body, ['body']),
  ];
}
