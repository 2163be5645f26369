import { HTTP_METHODS, type HttpMethod, type Step } from './schema.js';

/** The method keys a step gives; the rules require exactly one. */
export function stepMethodsGiven(step: Step): HttpMethod[] {
  return HTTP_METHODS.filter((method) => step[method] !== undefined);
}
