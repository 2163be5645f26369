import { HTTP_METHODS, type HttpMethod } from './http-methods.js';

/** The method keys a step (or a control request) gives; the rules require exactly one. */
export function stepMethodsGiven(request: Partial<Record<HttpMethod, string>>): HttpMethod[] {
  return HTTP_METHODS.filter((method) => request[method] !== undefined);
}
