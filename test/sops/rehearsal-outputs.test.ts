import { describe, expect, it } from 'vitest';
import { junitXml, type JunitSuite } from '../../src/sops/junit-xml.js';
import { rehearsalTimings } from '../../src/sops/rehearsal-timings.js';

const suite: JunitSuite = {
  name: 'room-info-storage-latency',
  timestamp: '2026-11-22T02:00:00.000Z',
  seconds: 61.5,
  properties: { ttd_ms: 4200, ttm_ms: 1800, ttr_ms: 3000, seed: 42 },
  cases: [
    { classname: 'room-info-storage-latency.precheck', name: 'room-info.p99<100ms', seconds: 10, outcome: { kind: 'passed' } },
    { classname: 'room-info-storage-latency.detection', name: 'room-info.p99>250ms within 30s', seconds: 4.2, outcome: { kind: 'passed' } },
    {
      classname: 'room-info-storage-latency.verification.degraded',
      name: 'room-info.p99<=1.5*baseline',
      seconds: 10,
      outcome: { kind: 'failure', message: 'room-info.p99 812ms > 75ms (window 40s–50s)', detail: 'measured 812ms, bound <=1.5 × baseline 50ms = 75ms' },
    },
    { classname: 'room-info-storage-latency.mitigation', name: 'flip "the" <flag> & go', seconds: 0.2, outcome: { kind: 'error', message: 'HTTP 500' }, output: 'line\u0000with\u001bcontrol\ncharacters' },
    { classname: 'room-info-storage-latency.verification.recovered', name: 'errors.rate<1%', seconds: 0, outcome: { kind: 'skipped', message: 'aborted before this phase' } },
  ],
};

describe('JUnit XML of a rehearsal', () => {
  const xml = junitXml([suite]);

  it('counts tests, failures, errors and skips per suite and overall', () => {
    expect(xml).toContain('<testsuites name="live-assure rehearse" tests="5" failures="1" errors="1" skipped="1" time="61.500">');
    expect(xml).toContain('<testsuite name="room-info-storage-latency" tests="5" failures="1" errors="1" skipped="1" time="61.500" timestamp="2026-11-22T02:00:00.000Z">');
  });

  it('carries TTD/TTM/TTR and the seed as properties, and failures that state measured vs expected and the window', () => {
    expect(xml).toContain('<property name="ttd_ms" value="4200"/>');
    expect(xml).toContain('<property name="seed" value="42"/>');
    expect(xml).toContain('<failure message="room-info.p99 812ms &gt; 75ms (window 40s–50s)">measured 812ms, bound &lt;=1.5 × baseline 50ms = 75ms</failure>');
    expect(xml).toContain('<skipped message="aborted before this phase"/>');
  });

  it('escapes names and output, and never writes characters XML cannot hold', () => {
    expect(xml).toContain('name="flip &quot;the&quot; &lt;flag&gt; &amp; go"');
    expect(xml).toContain('<system-out>line\\x00with\\x1bcontrol\ncharacters</system-out>');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('cuts long step output and says by how much', () => {
    const long = junitXml([{ ...suite, cases: [{ ...suite.cases[0]!, output: 'x'.repeat(10_000) }] }]);
    expect(long).toContain('… (1808 more characters)</system-out>');
  });
});

describe('rehearsal timings', () => {
  it('derives TTD, TTM and TTR from the milestones, null where one is missing', () => {
    expect(rehearsalTimings({ injected: 1000, impact: 2500, detected: 5200, mitigationStarted: 5300, mitigated: 7000, faultRemoved: 9000, recovered: 12_000 })).toEqual({
      ttd_ms: 4200,
      ttd_from_impact_ms: 2700,
      ttm_ms: 1800,
      ttm_total_ms: 6000,
      ttr_ms: 3000,
    });
    expect(rehearsalTimings({ injected: 1000 })).toEqual({ ttd_ms: null, ttd_from_impact_ms: null, ttm_ms: null, ttm_total_ms: null, ttr_ms: null });
  });

  it('counts a detection that already held before the fault as immediate', () => {
    expect(rehearsalTimings({ injected: 1000, detected: 900 }).ttd_ms).toBe(0);
  });
});
