import { editorJsonSchema } from '../scenarios/json-schema.js';
import { sopSchema } from './sop-schema.js';

/** sops/sop.schema.json, generated from the zod schema as the scenario one is. */
export function sopJsonSchemaText(): string {
  return `${JSON.stringify(editorJsonSchema(sopSchema, 'sop.schema.json', 'live-assure SOP'), null, 2)}\n`;
}
