import { expect, test } from 'vitest';
import { parseThresholdExpr } from '../../src/scenarios/threshold-expr.js';

test('latency per endpoint, in ms or s', () => {
  expect(parseThresholdExpr('room-info.p99<200ms')).toMatchObject({
    scope: 'room-info',
    metric: { kind: 'latency', stat: 'p99' },
    op: '<',
    value: 200,
    forMs: undefined,
  });
  expect(parseThresholdExpr('p99 > 2s for 30s')).toMatchObject({ scope: undefined, op: '>', value: 2000, forMs: 30_000 });
});

test('error rates as percentages or fractions, with an optional scope', () => {
  expect(parseThresholdExpr('errors.rate<0.1%')).toMatchObject({ scope: undefined, metric: { kind: 'error-rate' }, value: 0.001 });
  expect(parseThresholdExpr('gift-send.errors.rate<=0.01')).toMatchObject({ scope: 'gift-send', op: '<=', value: 0.01 });
  expect(parseThresholdExpr('errors.rate>5% for 10s')).toMatchObject({ op: '>', value: 0.05, forMs: 10_000 });
});

test('rps', () => {
  expect(parseThresholdExpr('send-gift.rps>=100/s')).toMatchObject({ scope: 'send-gift', metric: { kind: 'rps' }, value: 100 });
});

test.each([
  ['room-info.p98<200ms', /unknown metric "room-info.p98"/],
  ['p99<200', undefined],
  ['errors.rate<5', /fraction .* or a percentage/],
  ['p99<5%', /latency takes ms or s/],
  ['p99 200ms', /expected "\[scope.\]metric<value"/],
  ['errors.rate>5% for ever', /for ever/],
])('%s', (text, error) => {
  const parsed = parseThresholdExpr(text);
  if (error === undefined) expect(parsed).not.toHaveProperty('error');
  else expect(parsed).toMatchObject({ error: expect.stringMatching(error) });
});
