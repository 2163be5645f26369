import { describe, expect, it } from 'vitest';
import { feedSampler, keySampler } from '../../src/engine/key-sampler.js';
import { adHocLoadPlan, scenarioLoadPlan } from '../../src/engine/scenario-load-plan.js';
import { compileJsonTemplate, compileTemplate, renderJsonTemplate, renderTemplate } from '../../src/engine/template.js';
import { forecastScenario } from '../../src/scenarios/forecast.js';
import { scenarioFile } from '../helpers/scenarios.js';
import { expr } from '../helpers/load-plans.js';

const settings = {
  target: 'http://127.0.0.1:1',
  runId: 'r',
  seed: 1,
  thresholds: [],
  abort: [],
  limits: { connections: 1, maxInFlight: 1, connectTimeoutMs: 1, maxLagMs: 1 },
  defaultTimeoutMs: 10_000,
  feeds: {},
};

describe('the load plan of a scenario', () => {
  const scenario = scenarioFile('scenarios/demo.yaml');
  const forecast = forecastScenario(scenario);

  it('runs every journey at its forecast peak × scale at level 1, in proportion, every request shadow-tagged', () => {
    const plan = scenarioLoadPlan(scenario, forecast, settings);
    expect(plan.injectedHeaders.every).toEqual({ 'x-live-assure-shadow': 'r', baggage: 'live-assure-shadow=r' });
    const peaks = forecast.journeys.reduce((sum, journey) => sum + journey.peak_qps, 0);
    expect(plan.ratePerSecond).toBeCloseTo(peaks * 0.1, 9);
    expect(plan.journeys.map((journey) => journey.weight)).toEqual(forecast.journeys.map((journey) => journey.peak_qps));
    expect(plan.durationMs).toBe(60_000);
    expect(plan.arrivals).toBe('poisson');
    expect(plan.journeyEndpoints['enter-room']).toEqual(['room-info', 'room-enter', 'danmaku-recent']);
    expect(plan.journeys[0]?.steps[1]).toMatchObject({ name: 'room-enter', method: 'POST', url: '/room/enter', write: true, expectStatus: [200], timeoutMs: 10_000 });
    expect(plan.journeys[0]?.steps[1]?.writes).toEqual([{ store: 'demo-redis', key: 'room:enter:{{room}}' }]);
    expect(plan.isolation).toEqual({ markerPrefix: 'la~r~', idKeys: ['uid'], recordWrites: true });
  });

  it('counts a step as a write unless it is a GET or HEAD, or says write: false', () => {
    const journeys = {
      j: {
        per_viewer: 1 / 60,
        surges: [],
        steps: [
          { name: 'read', GET: '/r', writes: [] },
          { name: 'post', POST: '/p', writes: [] },
          { name: 'search', POST: '/s', write: false, writes: [] },
          { name: 'head', HEAD: '/h', writes: [] },
          { name: 'flagged', GET: '/f', write: true, writes: [] },
        ],
      },
    };
    const plan = scenarioLoadPlan({ ...scenario, journeys, endpoints: {}, services: {} }, forecast, settings);
    expect(plan.journeys.flatMap((journey) => journey.steps.map((step) => [step.name, step.write]))).toEqual([
      ['read', false],
      ['post', true],
      ['search', false],
      ['head', false],
      ['flagged', true],
    ]);
  });

  it('--duration cuts the stages, --scale replaces load.scale, flag thresholds add to the scenario\'s', () => {
    const plan = scenarioLoadPlan(scenario, forecast, { ...settings, durationMs: 15_000, scale: 0.2, thresholds: [expr('p99<1s')] });
    expect(plan.durationMs).toBe(15_000);
    expect(plan.segments.at(-1)).toEqual({ start: 10_000, end: 15_000, from: 1, to: 1 });
    expect(plan.ratePerSecond).toBeCloseTo(2 * scenarioLoadPlan(scenario, forecast, settings).ratePerSecond, 9);
    expect(plan.thresholds.map((threshold) => threshold.text)).toEqual(['room-info.p99<200ms', 'errors.rate<1%', 'p99<1s']);
  });

  it('without any threshold, the error rate must stay under the SLO (else 1%)', () => {
    const bare = { ...scenario, slo: { error_rate: 0.001 }, load: { ...scenario.load!, thresholds: [] } };
    expect(scenarioLoadPlan(bare, forecast, settings).thresholds.map((threshold) => threshold.text)).toEqual(['errors.rate<0.1%']);
    const adHoc = adHocLoadPlan({ url: 'http://h/x', method: 'GET', headers: {}, rate: 10, durationMs: 1000, name: 'request' }, settings);
    expect(adHoc.thresholds.map((threshold) => threshold.text)).toEqual(['errors.rate<1%']);
    expect(adHoc.arrivals).toBe('constant');
    const latencyOnly = adHocLoadPlan({ url: 'http://h/x', method: 'GET', headers: {}, rate: 10, durationMs: 1000, name: 'request' }, { ...settings, thresholds: [expr('p99<50ms')] });
    expect(latencyOnly.thresholds.map((threshold) => threshold.text)).toEqual(['p99<50ms', 'errors.rate<1%']);
    const scoped = adHocLoadPlan({ url: 'http://h/x', method: 'GET', headers: {}, rate: 10, durationMs: 1000, name: 'request' }, { ...settings, thresholds: [expr('request.errors.rate<5%')] });
    expect(scoped.thresholds.map((threshold) => threshold.text)).toEqual(['request.errors.rate<5%', 'errors.rate<1%']);
  });
});

describe('templates', () => {
  const vars = new Map<string, string | number>([['room', 7734], ['msg', 'a b&c']]);

  it('render paths (encoded), headers and bodies; a lone placeholder keeps its type', () => {
    expect(renderTemplate(compileTemplate('/r?room={{room}}&m={{ msg }}'), vars, encodeURIComponent)).toBe('/r?room=7734&m=a%20b%26c');
    expect(renderTemplate(compileTemplate('{{msg}}!'), vars)).toBe('a b&c!');
    expect(renderJsonTemplate(compileJsonTemplate({ room_id: '{{room}}', text: 'room {{room}}', n: 1, list: ['{{msg}}', null] }), vars)).toEqual({
      room_id: 7734,
      text: 'room 7734',
      n: 1,
      list: ['a b&c', null],
    });
  });
});

describe('sequences and feeds between workers', () => {
  it('a sequence key never repeats a value across workers', () => {
    const draws = [0, 1, 2].flatMap((index) => {
      const draw = keySampler({ sequence: { start: 100, step: 2 } }, Math.random, { index, count: 3 });
      return [draw(), draw(), draw()];
    });
    expect(draws.sort((a, b) => Number(a) - Number(b))).toEqual([100, 102, 104, 106, 108, 110, 112, 114, 116]);
  });

  it('a feed in sequence order interleaves workers and starts over at the end', () => {
    const values = ['a', 'b', 'c', 'd', 'e'];
    const first = feedSampler(values, 'sequence', Math.random, { index: 0, count: 2 });
    const second = feedSampler(values, 'sequence', Math.random, { index: 1, count: 2 });
    expect([first(), first(), first(), first()]).toEqual(['a', 'c', 'e', 'b']);
    expect([second(), second(), second()]).toEqual(['b', 'd', 'a']);
  });
});
