import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

/**
 * SOP files through `live-assure validate`: the examples pass, and each defect is reported as
 * `file:line:col path: message`, exit 2 — one variation of the room-info SOP per defect.
 */

const EXAMPLE = 'sops/room-info-storage-latency.yaml';
const dir = mkdtempSync(join(tmpdir(), 'la-sops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function variant(name: string, edit: (text: string) => string): string {
  const file = join(dir, `${name}.yaml`);
  const text = readFileSync(EXAMPLE, 'utf8');
  // Written elsewhere, the variant still loads the example's scenario.
  const edited = edit(text).replace('scenario: ../scenarios/demo.yaml', `scenario: ${join(process.cwd(), 'scenarios/demo.yaml')}`);
  if (edited === text) throw new Error(`the ${name} edit changed nothing`);
  writeFileSync(file, edited);
  return file;
}

describe('validate checks SOP files', () => {
  it('passes the example SOPs', async () => {
    const result = await runCli(['validate', EXAMPLE]);
    expect(result).toMatchObject({ code: 0, stdout: `ok  ${EXAMPLE}\n` });
  });

  const defects: Array<[string, (text: string) => string, RegExp]> = [
    ['unknown key', (text) => text.replace('owners:', 'ownres:'), /:\d+:\d+ ownres: unknown key "ownres" \(did you mean "owners"\?\)/],
    ['toxic attribute', (text) => text.replace('latency: 300, jitter: 20', 'latency: 300, jiter: 20'), /trigger\.toxic\.attributes\.jiter: a latency toxic has no attribute "jiter" \(did you mean "jitter"\?\); it takes latency, jitter/],
    ['toxic type', (text) => text.replace('type: latency', 'type: latncy'), /trigger\.toxic\.type: /],
    ['two actions in a step', (text) => text.replace('    http:\n      PUT: /admin/flags/room-info-local-cache', '    shell: { command: "true" }\n    http:\n      PUT: /admin/flags/room-info-local-cache'), /mitigation\.0: give one of http, redis, shell, wait_until, manual, not http and shell/],
    ['restore-previous on an http step', (text) => text.replace(/ {4}undo:\n {6}http:\n(?: {8}.*\n)+/, '    undo: restore-previous\n'), /mitigation\.0\.undo: restore-previous puts back what a redis step changed/],
    ['relative baseline in the baseline', (text) => text.replace('hypotheses: [room-info.p99<100ms, errors.rate<1%]', 'hypotheses: [room-info.p99<=1.2*baseline]'), /verification\.baseline\.hypotheses\.0: the baseline cannot be measured against itself/],
    ['a hypothesis that does not parse', (text) => text.replace('hypotheses: [room-info.p99<100ms, errors.rate<1%]', 'hypotheses: [room-info.p99<100ms, erors.rate<1%]'), /verification\.baseline\.hypotheses\.1: unknown metric "erors.rate"/],
    ['an http fault without remove', (text) => text.replace(/ {2}toxic: .*\n/, '  http: { PUT: /admin/faults/store, json: { latency_ms: 300 } }\n'), /trigger: an http fault needs `remove`: how rollback takes it away/],
    ['both a scenario and a url', (text) => text.replace('  scale: 0.05', '  url: http://127.0.0.1:8080/room/info'), /load: give one of scenario, url, not scenario and url/],
    ['a detection metric that does not parse', (text) => text.replace('room-info.p99>250ms', 'room-info.p99 over 250ms'), /detection\.metric: expected "\[scope\.\]metric<value"/],
    ['a step name with a typo', (text) => text.replace('metric: room-info.p99>250ms', 'metric: room-infoo.p99>250ms'), /detection\.metric: "room-infoo" is not a step or journey of the SOP's load \(did you mean "room-info"\?\)/],
    ['a content check on a step the load does not have', (text) => text.replace('of: room-info,', 'of: room-inf,'), /verification\.degraded\.hypotheses\.2\.of: "room-inf" is not a step of the SOP's load/],
    ['a max_duration shorter than its phases', (text) => text.replace('max_duration: 3m', 'max_duration: 20s'), /abort\.max_duration: the phases' settle and windows plus detection's bound take 70s: a max_duration of 20s would always abort/],
    ['a detection metric with for', (text) => text.replace('metric: room-info.p99>250ms', 'metric: room-info.p99>250ms for 5s'), /detection\.metric: detection is judged second by second: drop "for"/],
    ['a content check that checks nothing', (text) => text.replace(', header: { x-degraded: room-info-local-cache } }', ' }'), /verification\.degraded\.hypotheses\.2: say what the responses must show: header or contains/],
  ];

  it.each(defects)('reports %s, located, exit 2', async (name, edit, expected) => {
    const file = variant(name.replace(/\W+/g, '-'), edit);
    const result = await runCli(['validate', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
