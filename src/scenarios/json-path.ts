/**
 * The small JSON path subset captures use: `$.data.token`, `$.items[0].id`, `data.token`,
 * `$["odd key"]`. No wildcards or filters: a capture names one value.
 */
export type JsonPath = Array<string | number>;

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(?:"([^"]*)"|'([^']*)')\])/;

export function parseJsonPath(text: string): JsonPath | { error: string } {
  let rest = text.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (rest !== '' && !rest.startsWith('[') && !rest.startsWith('.')) rest = `.${rest}`;
  const path: JsonPath = [];
  while (rest !== '') {
    const match = SEGMENT.exec(rest);
    if (match === null) return { error: `"${text}" is not a JSON path like $.data.token or $.items[0].id (at "${rest}")` };
    const [whole, field, index, doubleQuoted, singleQuoted] = match;
    path.push(index !== undefined ? Number(index) : (field ?? doubleQuoted ?? singleQuoted ?? ''));
    rest = rest.slice(whole.length);
  }
  if (path.length === 0) return { error: `"${text}" names the whole response: give a field, e.g. $.data.token` };
  return path;
}

/** The value at `path`, or undefined when the document has no such value. */
export function valueAtPath(document: unknown, path: JsonPath): unknown {
  let current = document;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = Object.getOwnPropertyDescriptor(current, segment)?.value;
    }
  }
  return current;
}
