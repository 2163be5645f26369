import { z } from 'zod';

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) {
    return unwrap(schema.unwrap());
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in);
  return schema;
}

function childSchema(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return inner.shape[String(segment)];
  if (inner instanceof z.ZodRecord) return inner.valueType;
  if (inner instanceof z.ZodArray) return inner.element;
  if (inner instanceof z.ZodTuple) return inner.def.items[Number(segment)];
  if (inner instanceof z.ZodUnion) {
    for (const option of inner.options) {
      const found = childSchema(option, segment);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The keys an object schema accepts at `path` inside `root`, for "did you mean" hints. */
export function knownKeysAt(root: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = root;
  for (const segment of path) {
    if (schema === undefined) return [];
    schema = childSchema(schema, segment);
  }
  if (schema === undefined) return [];
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}
