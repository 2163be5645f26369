import { quote } from './action-outcome.js';
import type { HttpResponse } from './http-exchange.js';
import type { HttpCall } from './sop-action.js';

type Expectation = NonNullable<HttpCall['expect']>;

/** What about the response missed the call's `expect`, measured against expected (`expected status 200, got 503`); empty when it held. */
export function unmetExpectations(expect: Expectation | undefined, response: HttpResponse): string[] {
  const unmet: string[] = [];
  const status = expect?.status;
  if (status === undefined) {
    if (response.status >= 400) unmet.push(`expected a status below 400, got ${response.status}`);
  } else {
    const allowed = Array.isArray(status) ? status : [status];
    if (!allowed.includes(response.status)) unmet.push(`expected status ${allowed.join(' or ')}, got ${response.status}`);
  }
  if (expect?.contains !== undefined && !response.body.includes(expect.contains)) {
    unmet.push(`expected the body to contain ${JSON.stringify(expect.contains)}, got ${response.body === '' ? 'an empty body' : quote(response.body)}`);
  }
  for (const [name, value] of Object.entries(expect?.headers ?? {})) {
    const actual = response.headers[name.toLowerCase()];
    if (actual === undefined) unmet.push(`expected header ${name}: ${value}, got none`);
    else if (!headerHolds(actual, value)) unmet.push(`expected header ${name}: ${value}, got ${quote(actual)}`);
  }
  return unmet;
}

/** Exactly the value, or one of a repeated header's values. */
function headerHolds(actual: string, expected: string): boolean {
  return actual.trim() === expected.trim() || actual.split(',').some((part) => part.trim() === expected.trim());
}
