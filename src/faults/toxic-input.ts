import { checkAttributes } from './toxic-attributes.js';
import { FaultProxyError, TOXIC_TYPES, type Toxic, type ToxicInput, type ToxicStream, type ToxicType } from './proxy-model.js';

const INVALID_STREAM = 'stream was invalid, can be either upstream or downstream';

/** A new toxic with Toxiproxy's defaults (downstream, toxicity 1, name `<type>_<stream>`); 409 when `taken(name)`. */
export function createToxic(input: ToxicInput, taken: (name: string) => boolean): Toxic {
  // Toxiproxy's order of checks: stream, then type, then the name, then the attributes.
  const stream = readStream(input.stream);
  if (typeof input.type !== 'string' || !isToxicType(input.type)) throw new FaultProxyError(400, 'invalid toxic type');
  const type = input.type;
  if (stream === 'both' && type !== 'latency') throw new FaultProxyError(400, 'stream both is only for latency toxics (upstream and downstream at once)');
  if (input.name !== undefined && typeof input.name !== 'string') throw new FaultProxyError(400, 'bad request body: name must be a string');
  const name = input.name === undefined || input.name === '' ? `${type}_${stream}` : input.name;
  if (taken(name)) throw new FaultProxyError(409, 'toxic already exists');
  return { name, type, stream, toxicity: readToxicity(input.toxicity, 1), attributes: checkAttributes(type, {}, input.attributes) };
}

/**
 * Toxiproxy updates only `toxicity` and `attributes` (merged over the current ones). It ignores a
 * different name, type or stream; we refuse them, so nobody believes a toxic moved when it did not.
 */
export function updateToxic(current: Toxic, changes: Partial<ToxicInput>): Toxic {
  if (changes.name !== undefined && changes.name !== current.name) throw unchangeable('name');
  if (changes.type !== undefined && changes.type !== current.type) throw unchangeable('type');
  if (changes.stream !== undefined && readStream(changes.stream) !== current.stream) throw unchangeable('stream');
  return {
    ...current,
    toxicity: readToxicity(changes.toxicity, current.toxicity),
    attributes: checkAttributes(current.type, current.attributes, changes.attributes),
  };
}

function readStream(stream: unknown): ToxicStream {
  if (stream === undefined) return 'downstream';
  const lower = typeof stream === 'string' ? stream.toLowerCase() : '';
  if (lower === 'upstream' || lower === 'downstream' || lower === 'both') return lower;
  throw new FaultProxyError(400, INVALID_STREAM);
}

function readToxicity(toxicity: unknown, fallback: number): number {
  if (toxicity === undefined) return fallback;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) {
    throw new FaultProxyError(400, `bad request body: toxicity must be a number from 0 to 1, got ${JSON.stringify(toxicity)}`);
  }
  return toxicity;
}

function isToxicType(type: string): type is ToxicType {
  return TOXIC_TYPES.some((known) => known === type);
}

function unchangeable(field: string): FaultProxyError {
  return new FaultProxyError(400, `bad request body: a toxic's ${field} cannot change; remove it and add a new one`);
}
