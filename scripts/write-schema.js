// Regenerates scenarios/scenario.schema.json from the zod schema (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchemaText } from '../dist/scenarios/json-schema.js';

writeFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), scenarioJsonSchemaText());
