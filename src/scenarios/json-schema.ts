import { z } from 'zod';
import { scenarioSchema } from './schema.js';
import { SCALAR_META_KEY, scalarJsonSchema } from './units.js';

/**
 * The JSON Schema editors use for completion and checks, generated from the zod schema (never kept by
 * hand). It describes what may be written (the input side), with the unit-bearing scalars as strings.
 */
function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (context) => {
      const kind = z.globalRegistry.get(context.zodSchema)?.[SCALAR_META_KEY];
      const replacement = scalarJsonSchema(kind, { ...context.jsonSchema });
      if (replacement === undefined) return;
      for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
      Object.assign(context.jsonSchema, replacement);
    },
  });
  return {
    ...generated,
    $id: 'https://live-assure.dev/scenario.schema.json',
    title: 'live-assure scenario',
  };
}

/** The file's exact text, so the checked-in copy can be compared byte for byte. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
