import { z } from 'zod';
import { scenarioSchema } from './schema.js';
import { SCALAR_META_KEY, scalarJsonSchema } from './units.js';

/**
 * The JSON Schema editors use for completion and checks, generated from the zod schema (never kept by
 * hand). It describes what may be written (the input side), with the unit-bearing scalars as strings.
 */
export function editorJsonSchema(schema: z.ZodType, id: string, title: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
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
  return { ...generated, $id: `https://live-assure.dev/${id}`, title };
}

/** The file's exact text, so the checked-in copy can be compared byte for byte. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(editorJsonSchema(scenarioSchema, 'scenario.schema.json', 'live-assure scenario'), null, 2)}\n`;
}
