import { scenarioSchema, type Scenario } from './schema.js';

/** Names the document declares, broken entries included: references to them are not "unknown". */
export interface DeclaredNames {
  journeys: string[];
  endpoints: string[];
  services: string[];
  keys: string[];
  steps: string[];
}

const RECORD_SECTIONS = new Set(['keys', 'journeys', 'endpoints', 'services']);

function entriesOf(value: unknown): Array<[string, unknown]> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
}

export function declaredNames(data: unknown): DeclaredNames {
  const section = (name: string) => entriesOf(typeof data === 'object' && data !== null ? Reflect.get(data, name) : undefined);
  const steps = section('journeys').flatMap(([, journey]) => {
    const list: unknown = typeof journey === 'object' && journey !== null ? Reflect.get(journey, 'steps') : undefined;
    return Array.isArray(list) ? list.flatMap((step: unknown) => {
      const name: unknown = typeof step === 'object' && step !== null ? Reflect.get(step, 'name') : undefined;
      return typeof name === 'string' ? [name] : [];
    }) : [];
  });
  return {
    journeys: section('journeys').map(([name]) => name),
    endpoints: section('endpoints').map(([name]) => name),
    services: section('services').map(([name]) => name), keys: section('keys').map(([name]) => name),
    steps,
  };
}

/**
 * The parts of a document that pass the schema on their own — whole sections, or for the named
 * collections (keys, journeys, endpoints, services) each sound entry — so the cross-reference rules
 * can still check them while the schema errors elsewhere are reported.
 */
export function soundSections(data: unknown): Partial<Scenario> {
  if (typeof data !== 'object' || data === null) return {};
  const sound: Array<[string, unknown]> = [];
  for (const [name, schema] of Object.entries(scenarioSchema.shape)) {
    if (!(name in data)) continue;
    const value: unknown = Reflect.get(data, name);
    if (schema.safeParse(value).success) sound.push([name, value]);
    else if (RECORD_SECTIONS.has(name)) {
      const entries = entriesOf(value).filter(([entry, item]) => schema.safeParse({ [entry]: item }).success);
      sound.push([name, Object.fromEntries(entries)]);
    }
  }
  const parsed = scenarioSchema.partial().safeParse(Object.fromEntries(sound));
  if (!parsed.success) return {};
  // Sections left out must stay absent, not take their defaults: an empty `services` would make every call unknown.
  const soundNames = new Set(sound.map(([name]) => name));
  for (const name of Object.keys(parsed.data)) if (!soundNames.has(name)) Reflect.deleteProperty(parsed.data, name);
  return parsed.data;
}
