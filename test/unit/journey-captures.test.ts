import { expect, test } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { parseScenario } from '../../src/scenarios/load-scenario.js';
import { parseJsonPath, valueAtPath } from '../../src/scenarios/json-path.js';

function problems(journey: string, keys = '{ room: { zipf: { n: 10, s: 1 } } }'): string[] {
  const text = `name: t
audience: { peak: 1000, curve: [{ at: 0m, share: 1 }] }
keys: ${keys}
journeys:
  j:
    per_viewer: 1/min
    steps:
${journey}
`;
  const result = parseScenario(text, 's.yaml', {});
  return result.ok ? [] : result.issues.map(formatIssue);
}

test('a captured value may be used by later steps only', () => {
  expect(
    problems(`      - { name: login, POST: /login, capture: { token: "$.data.token" } }
      - { name: me, GET: "/me?t={{token}}" }`),
  ).toEqual([]);
  expect(
    problems(`      - { name: me, GET: "/me?t={{token}}" }
      - { name: login, POST: /login, capture: { token: "$.data.token" } }`),
  ).toEqual([
    's.yaml:8:26 journeys.j.steps.0.GET: "{{token}}" is not a key of `keys`, a built-in (uuid, seq, now, run_id, marker) nor captured by an earlier step (it is captured only by this or a later step)',
  ]);
});

test('capture paths and names are checked', () => {
  expect(problems(`      - { name: login, POST: /login, capture: { token: "$.data[x]", room: "$.room" } }`)).toEqual([
    's.yaml:8:56 journeys.j.steps.0.capture.token: "$.data[x]" is not a JSON path like $.data.token or $.items[0].id (at "[x]")',
    's.yaml:8:69 journeys.j.steps.0.capture.room: "room" is already a key or built-in: captures need their own name',
  ]);
});

test('sequence and csv keys are base distributions of their own', () => {
  expect(problems('      - { name: a, GET: "/a?u={{uid}}" }', '{ uid: { sequence: { start: 10 } } }')).toEqual([]);
  expect(problems('      - { name: a, GET: "/a?u={{uid}}" }', '{ uid: { sequence: {}, csv: { file: u.csv, column: uid } } }')).toEqual([
    's.yaml:3:14 keys.uid: choose one of zipf, uniform, values, sequence or csv, not sequence and csv',
  ]);
});

test('JSON paths: dotted, indexed, quoted; missing values are undefined', () => {
  const document = { data: { token: 't', items: [{ id: 3 }], 'odd key': true } };
  expect(valueAtPath(document, parseJsonPath('$.data.token') as Array<string | number>)).toBe('t');
  expect(valueAtPath(document, parseJsonPath('data.items[0].id') as Array<string | number>)).toBe(3);
  expect(valueAtPath(document, parseJsonPath(`$.data["odd key"]`) as Array<string | number>)).toBe(true);
  expect(valueAtPath(document, parseJsonPath('$.data.items[1].id') as Array<string | number>)).toBeUndefined();
  expect(valueAtPath(document, parseJsonPath('$.data.token.length') as Array<string | number>)).toBeUndefined();
  expect(parseJsonPath('$')).toEqual({ error: '"$" names the whole response: give a field, e.g. $.data.token' });
});
