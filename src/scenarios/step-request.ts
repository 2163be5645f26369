import { HTTP_METHODS, type HttpMethod } from './http-methods.js';
import type { Step } from './schema.js';

/** The method keys a step gives; the rules require exactly one. */
export function stepMethodsGiven(step: Step): HttpMethod[] {
  return HTTP_METHODS.filter((method) => step[method] !== undefined);
}
