import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { scenarioJsonSchemaText } from '../../src/scenarios/json-schema.js';
import { sopJsonSchemaText } from '../../src/sops/sop-json-schema.js';

test('scenarios/scenario.schema.json is in sync with the zod schema (run `npm run build && npm run schema`)', () => {
  expect(readFileSync('scenarios/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
});

test('sops/sop.schema.json is in sync with the zod schema (run `npm run build && npm run schema`)', () => {
  expect(readFileSync('sops/sop.schema.json', 'utf8')).toBe(sopJsonSchemaText());
  expect(JSON.parse(sopJsonSchemaText())).toMatchObject({ title: 'live-assure SOP', required: expect.arrayContaining(['id', 'title', 'owners', 'load', 'trigger', 'detection', 'mitigation', 'verification']) });
});

test('the editor schema describes what people write: durations, rates, `_` numbers and percentages', () => {
  const text = scenarioJsonSchemaText();
  const schema: unknown = JSON.parse(text);
  expect(schema).toMatchObject({
    type: 'object',
    additionalProperties: false,
    required: expect.arrayContaining(['name', 'audience', 'journeys']),
    properties: {
      audience: {
        properties: {
          peak: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
          curve: { items: { properties: { at: { anyOf: [{ type: 'string' }, { const: 0 }] }, share: { anyOf: [{ type: 'number', maximum: 1 }, { type: 'string' }] } } } },
        },
      },
    },
  });
  expect(text).not.toContain('x-live-assure-scalar');
  expect(schema).toMatchObject({
    properties: { journeys: { additionalProperties: { properties: { per_viewer: { type: 'string', examples: expect.arrayContaining(['120/s']) } } } } },
  });
});

test.each(['scenarios/demo.yaml', 'scenarios/s-final.yaml'])('%s points editors at the schema', (file) => {
  expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
});

test.each(readdirSync('sops').filter((file) => file.endsWith('.yaml')))('sops/%s points editors at the SOP schema', (file) => {
  expect(readFileSync(`sops/${file}`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./sop.schema.json');
});
