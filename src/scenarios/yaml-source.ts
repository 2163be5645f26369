import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { LocatedIssue } from '../errors.js';

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A parsed YAML file that can point back at the line and column of any path inside it. */
export interface YamlSource {
  readonly file: string;
  /** The document as plain data, after `${env:NAME}` substitution; undefined when it did not parse. */
  readonly data: unknown;
  /** Problems found while parsing: YAML syntax, unset environment variables. */
  readonly issues: LocatedIssue[];
  /** Where `path` is; `at: 'key'` points at a mapping key rather than its value. Falls back to the deepest existing parent. */
  locate(path: readonly PropertyKey[], at?: 'key' | 'value'): { line: number; col: number };
  /** Whether `path` exists in the document. */
  has(path: readonly PropertyKey[]): boolean;
  issueAt(path: readonly PropertyKey[], message: string, at?: 'key' | 'value'): LocatedIssue;
}

interface Found {
  node: Node | null | undefined;
  keyNode: Node | undefined;
  complete: boolean;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function find(doc: Document, path: readonly PropertyKey[]): Found {
  let node: Node | null | undefined = doc.contents;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const items: ReadonlyArray<Pair<unknown, unknown>> = node.items;
      const pair = items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) return { node, keyNode, complete: false };
      keyNode = isScalar(pair.key) ? pair.key : keyNode;
      // `key:` with no value: point at the key.
      node = isNodeLike(pair.value) ? pair.value : keyNode;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined || !isNodeLike(item)) return { node, keyNode, complete: false };
      keyNode = undefined;
      node = item;
    } else {
      return { node, keyNode, complete: false };
    }
  }
  return { node, keyNode, complete: true };
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function substituteEnv(doc: Document, env: Readonly<Record<string, string | undefined>>, onMissing: (node: Node, name: string) => void): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${env:')) return;
      node.value = node.value.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined) return value;
        if (fallback !== undefined) return fallback;
        onMissing(node, name);
        return '';
      });
    },
  });
}

export function parseYamlSource(text: string, file: string, env: Readonly<Record<string, string | undefined>>): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const position = (offset: number) => lineCounter.linePos(offset);
  const issues: LocatedIssue[] = [];

  for (const error of doc.errors) {
    const { line, col } = position(error.pos[0]);
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    issues.push({ file, line, col, path: '', message: `YAML: ${message}` });
  }

  const locate = (path: readonly PropertyKey[], at: 'key' | 'value' = 'value') => {
    const found = find(doc, path);
    const target = at === 'key' && found.keyNode !== undefined ? found.keyNode : (found.node ?? found.keyNode);
    const offset = target?.range?.[0] ?? 0;
    return position(offset);
  };
  const issueAt = (path: readonly PropertyKey[], message: string, at: 'key' | 'value' = 'value'): LocatedIssue => ({
    file,
    ...locate(path, at),
    path: path.map(String).join('.'),
    message,
  });

  let data: unknown;
  if (issues.length === 0) {
    substituteEnv(doc, env, (node, name) => {
      const { line, col } = position(node.range?.[0] ?? 0);
      issues.push({ file, line, col, path: '', message: `environment variable ${name} is not set (referenced as \${env:${name}})` });
    });
    data = doc.toJS({ maxAliasCount: 1000 });
  }

  return {
    file,
    data,
    issues,
    locate,
    has: (path) => find(doc, path).complete,
    issueAt,
  };
}
