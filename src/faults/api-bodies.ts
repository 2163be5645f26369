import { ApiError } from './api-http.js';
import type { ProxyInput, ToxicInput } from './proxy-model.js';

type Path = ReadonlyArray<string | number>;

/** Toxiproxy listens wherever `net.Listen("tcp", "")` does when `listen` is left out: a free port. */
const ANY_PORT = ':0';

/** Request bodies read as Toxiproxy's Go decoder reads them: unknown fields ignored, `null` as absent, wrong types a 400. */
export function parseJsonBody(text: string): unknown {
  // Go's json.Decoder reports an empty body as EOF; clients and their tests match on it.
  if (text.trim() === '') throw new ApiError(400, 'bad request body: EOF');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `bad request body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function readProxyCreate(body: unknown): ProxyInput {
  const fields = objectAt(body, []);
  const name = stringAt(fields, 'name', []);
  const upstream = stringAt(fields, 'upstream', []);
  const listen = stringAt(fields, 'listen', []);
  const enabled = booleanAt(fields, 'enabled', []);
  if (name === undefined || name === '') throw new ApiError(400, 'missing required field: name', ['name']);
  if (upstream === undefined || upstream === '') throw new ApiError(400, 'missing required field: upstream', ['upstream']);
  return { name, listen: listen ?? ANY_PORT, upstream, ...(enabled === undefined ? {} : { enabled }) };
}

export function readProxyUpdate(body: unknown): Partial<Omit<ProxyInput, 'name'>> {
  const fields = objectAt(body, []);
  const listen = stringAt(fields, 'listen', []);
  const upstream = stringAt(fields, 'upstream', []);
  const enabled = booleanAt(fields, 'enabled', []);
  return {
    ...(listen === undefined ? {} : { listen }),
    ...(upstream === undefined ? {} : { upstream }),
    ...(enabled === undefined ? {} : { enabled }),
  };
}

/** A bare array as Toxiproxy takes it (and its `-config` file), or `{"proxies": [...]}` as it answers. */
export function readPopulate(body: unknown): ProxyInput[] {
  const list = isRecord(body) && Array.isArray(body['proxies']) ? body['proxies'] : body;
  if (!Array.isArray(list)) throw new ApiError(400, 'bad request body: expected a JSON array of proxies', [], 'expected a JSON array of proxies');
  const inputs = list.map((item: unknown, index) => {
    const fields = objectAt(item, [index]);
    const name = stringAt(fields, 'name', [index]);
    const upstream = stringAt(fields, 'upstream', [index]);
    const listen = stringAt(fields, 'listen', [index]);
    const enabled = booleanAt(fields, 'enabled', [index]);
    return { name, upstream, listen, enabled, index };
  });
  // Toxiproxy checks every entry before it changes anything, so a bad entry leaves the proxies as they were.
  return inputs.map(({ name, upstream, listen, enabled, index }) => {
    if (name === undefined || name === '') throw new ApiError(400, `missing required field: name at proxy ${index + 1}`, [index, 'name'], 'missing required field');
    if (upstream === undefined || upstream === '') throw new ApiError(400, `missing required field: upstream at proxy ${index + 1}`, [index, 'upstream'], 'missing required field');
    return { name, listen: listen ?? ANY_PORT, upstream, ...(enabled === undefined ? {} : { enabled }) };
  });
}

export function readToxicCreate(body: unknown): ToxicInput {
  const fields = objectAt(body, []);
  const name = stringAt(fields, 'name', []);
  const stream = stringAt(fields, 'stream', []);
  const toxicity = numberAt(fields, 'toxicity', []);
  const attributes = attributesAt(fields, []);
  return {
    type: stringAt(fields, 'type', []) ?? '',
    ...(name === undefined || name === '' ? {} : { name }),
    ...(stream === undefined ? {} : { stream }),
    ...(toxicity === undefined ? {} : { toxicity }),
    ...(attributes === undefined ? {} : { attributes }),
  };
}

/** Toxiproxy updates only `toxicity` and `attributes`; a name, type or stream is passed on for the model to refuse if it differs. */
export function readToxicUpdate(body: unknown): Partial<ToxicInput> {
  const fields = objectAt(body, []);
  const name = stringAt(fields, 'name', []);
  const type = stringAt(fields, 'type', []);
  const stream = stringAt(fields, 'stream', []);
  const toxicity = numberAt(fields, 'toxicity', []);
  const attributes = attributesAt(fields, []);
  return {
    ...(name === undefined ? {} : { name }),
    ...(type === undefined ? {} : { type }),
    ...(stream === undefined ? {} : { stream }),
    ...(toxicity === undefined ? {} : { toxicity }),
    ...(attributes === undefined ? {} : { attributes }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, path: Path): Record<string, unknown> {
  if (value === null) return {};
  if (!isRecord(value)) throw new ApiError(400, `bad request body: ${where(path, 'expected a JSON object')}`, path, 'expected a JSON object');
  return value;
}

function fieldValue(fields: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

function stringAt(fields: Record<string, unknown>, key: string, path: Path): string | undefined {
  const value = fieldValue(fields, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError([...path, key], 'a string', value);
  return value;
}

function booleanAt(fields: Record<string, unknown>, key: string, path: Path): boolean | undefined {
  const value = fieldValue(fields, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError([...path, key], 'true or false', value);
  return value;
}

function numberAt(fields: Record<string, unknown>, key: string, path: Path): number | undefined {
  const value = fieldValue(fields, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw typeError([...path, key], 'a number', value);
  return value;
}

function attributesAt(fields: Record<string, unknown>, path: Path): Record<string, unknown> | undefined {
  const value = fieldValue(fields, 'attributes');
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw typeError([...path, 'attributes'], 'an object', value);
  return value;
}

function typeError(path: Path, expected: string, value: unknown): ApiError {
  const got = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
  const reason = `expected ${expected}, got ${got}`;
  return new ApiError(400, `bad request body: ${where(path, reason)}`, path, reason);
}

function where(path: Path, message: string): string {
  if (path.length === 0) return message;
  const [first, ...rest] = path;
  const named = typeof first === 'number' ? [`proxy ${first + 1}`, ...rest] : path;
  return `${named.join(' ')}: ${message}`;
}
