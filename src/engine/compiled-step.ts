import { valueAtPath } from '../scenarios/json-path.js';
import { templateNamesIn } from '../scenarios/templates.js';
import type { HttpRequest, HttpResponse } from './http-transport.js';
import type { LoadPlan, PlannedStep, WriteRecord } from './load-plan.js';
import type { ErrorKind } from './request-outcome.js';
import type { ResponseSampling } from './response-sample.js';
import { compileJsonTemplate, compileTemplate, renderJsonTemplate, renderTemplate, type JsonTemplate, type Template, type Vars } from './template.js';

export interface CompiledStep {
  planned: PlannedStep;
  origin: string;
  path: Template;
  headers: Array<[string, Template]>;
  json: JsonTemplate | undefined;
  body: Template | undefined;
  readBody: boolean;
  /** The plan samples this step's responses: header names lower case, each once. */
  sampling: ResponseSampling | undefined;
  expected: ReadonlySet<number> | undefined;
  /** The request itself, when nothing in it varies: built once, its bytes kept by the transport. */
  fixed: HttpRequest | undefined;
  marker: boolean;
  writes: Array<{ store: string; key: Template }>;
  /** Keys whose values are shadow identities (`shadow_range`), used by this step. */
  idKeys: string[];
}

// Shared by arrivals of journeys that use no values: nothing ever writes to it (captures need vars).
export const NO_VARS = new Map<string, string | number>();

function splitUrl(url: string, target: string): { origin: string; path: string } {
  const absolute = /^https?:\/\//.test(url);
  const base = new URL(absolute ? url.replace(/\{\{[^}]*\}\}/g, 'x') : target);
  if (absolute) {
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    return { origin: base.origin, path: pathStart === -1 ? '/' : url.slice(pathStart) };
  }
  return { origin: base.origin, path: `${base.pathname.replace(/\/$/, '')}${url}` };
}

function namesIn(step: PlannedStep): string[] {
  return templateNamesIn([step.url, step.headers, step.json, step.body]).map((placeholder) => placeholder.name);
}

function writeNamesIn(step: PlannedStep): string[] {
  return templateNamesIn(step.writes.map((write) => write.key)).map((placeholder) => placeholder.name);
}

/** The step's headers with the run's injected ones; a step's own baggage keeps its members and gains the shadow one. */
function injectedInto(planned: PlannedStep, plan: LoadPlan): Record<string, string> {
  const injected: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...plan.injectedHeaders.every, ...(planned.write ? plan.injectedHeaders.writes : {}) })) injected[name.toLowerCase()] = value;
  const headers = { ...injected };
  for (const [name, value] of Object.entries(planned.headers)) {
    const lower = name.toLowerCase();
    const ours = injected[lower];
    headers[lower] = lower === 'baggage' && ours !== undefined ? `${ours},${value}` : value;
  }
  return headers;
}

/** How the plan samples the step's responses, if it does. */
function samplingOf(planned: PlannedStep, plan: LoadPlan): ResponseSampling | undefined {
  const asked = plan.sampleResponses;
  // hasOwn: a step named like an Object.prototype member must not find one.
  if (asked === undefined || !Object.hasOwn(asked, planned.name)) return undefined;
  const sampling = asked[planned.name];
  if (sampling === undefined) return undefined;
  return { headers: [...new Set(sampling.headers.map((name) => name.toLowerCase()))], body: sampling.body };
}

/** A planned step made ready to send: templates split, injected headers merged, a fixed request built once. */
export function compileStep(planned: PlannedStep, plan: LoadPlan): { step: CompiledStep; names: string[] } {
  const names = namesIn(planned);
  const writeNames = writeNamesIn(planned);
  const { origin, path } = splitUrl(planned.url, plan.target);
  const sampling = samplingOf(planned, plan);
  const headers: Array<[string, Template]> = Object.entries(injectedInto(planned, plan)).map(([name, value]) => [name, compileTemplate(value)]);
  if (planned.json !== undefined && !headers.some(([name]) => name === 'content-type')) headers.push(['content-type', ['application/json']]);
  const step: CompiledStep = {
    planned,
    origin,
    path: compileTemplate(path),
    headers,
    json: planned.json === undefined ? undefined : compileJsonTemplate(planned.json),
    body: planned.body === undefined ? undefined : compileTemplate(planned.body),
    readBody: planned.expectContains !== undefined || Object.keys(planned.captures).length > 0 || sampling?.body === true,
    sampling,
    expected: planned.expectStatus === undefined ? undefined : new Set(planned.expectStatus),
    fixed: undefined,
    marker: names.includes('marker'),
    writes: planned.writes.map((write) => ({ store: write.store, key: compileTemplate(write.key) })),
    idKeys: plan.isolation.idKeys.filter((key) => names.includes(key) || writeNames.includes(key)),
  };
  if (names.length === 0) step.fixed = { ...buildRequest(step, NO_VARS), fixed: true };
  return { step, names: [...names, ...writeNames] };
}

/** The error a response amounts to, if any, and why: a status nobody expected, or a failed body check. */
export function responseError(step: CompiledStep, response: HttpResponse): { kind: ErrorKind; why: string } | undefined {
  const status = response.status;
  const statusOk = step.expected === undefined ? status < 400 : step.expected.has(status);
  if (!statusOk) {
    const kind: ErrorKind = status >= 500 ? 'http_5xx' : status >= 400 ? 'http_4xx' : 'check_failed';
    return { kind, why: step.expected === undefined ? `HTTP ${status}` : `HTTP ${status}, expected ${[...step.expected].join(' or ')}` };
  }
  const contains = step.planned.expectContains;
  if (contains !== undefined && !(response.body ?? '').includes(contains)) return { kind: 'check_failed', why: `HTTP ${status}, body lacks ${JSON.stringify(contains)}` };
  return undefined;
}

const pathText = (path: ReadonlyArray<string | number>): string => `$${path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('')}`;

/** Captured values, or the capture that found nothing (the step then counts as a failed check). */
export function captureValues(step: CompiledStep, body: string | undefined): Array<[string, string | number]> | { missing: string } {
  const entries = Object.entries(step.planned.captures);
  if (entries.length === 0) return [];
  let document: unknown;
  try {
    document = JSON.parse(body ?? '');
  } catch {
    return { missing: 'the body is not JSON' };
  }
  const values: Array<[string, string | number]> = [];
  for (const [name, path] of entries) {
    const value = valueAtPath(document, path);
    if (typeof value === 'string' || typeof value === 'number') values.push([name, value]);
    else if (typeof value === 'boolean') values.push([name, String(value)]);
    else if (value !== undefined && value !== null) values.push([name, JSON.stringify(value)]);
    else return { missing: `no value for capture ${name} at ${pathText(path)}` };
  }
  return values;
}

export function writeRecord(step: CompiledStep, vars: Vars): WriteRecord {
  const tokens = step.idKeys.map((key) => String(vars.get(key) ?? ''));
  if (step.marker) tokens.unshift(String(vars.get('marker') ?? ''));
  return {
    step: step.planned.name,
    keys: step.writes.map((write) => ({ store: write.store, key: renderTemplate(write.key, vars) })),
    tokens: tokens.filter((token) => token !== ''),
  };
}

export function buildRequest(step: CompiledStep, vars: Vars): HttpRequest {
  const headers: string[] = [];
  for (const [name, template] of step.headers) headers.push(name, renderTemplate(template, vars));
  let body: string | undefined;
  if (step.json !== undefined) body = JSON.stringify(renderJsonTemplate(step.json, vars));
  else if (step.body !== undefined) body = renderTemplate(step.body, vars);
  const request: HttpRequest = {
    origin: step.origin,
    path: renderTemplate(step.path, vars, encodeURIComponent),
    method: step.planned.method,
    headers,
    body,
    timeoutMs: step.planned.timeoutMs,
    readBody: step.readBody,
  };
  // Only a sampled step's requests carry the field: the others keep the shape the transport is tuned on.
  const readHeaders = step.sampling?.headers;
  if (readHeaders !== undefined && readHeaders.length > 0) request.readHeaders = readHeaders;
  return request;
}
