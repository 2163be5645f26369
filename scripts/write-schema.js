// Regenerates scenarios/scenario.schema.json and sops/sop.schema.json from the zod schemas (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchemaText } from '../dist/scenarios/json-schema.js';
import { sopJsonSchemaText } from '../dist/sops/sop-json-schema.js';

writeFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), scenarioJsonSchemaText());
writeFileSync(new URL('../sops/sop.schema.json', import.meta.url), sopJsonSchemaText());
