import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { LocatedIssue } from '../errors.js';

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const MAX_ALIASES = 1000;

/** The parser's words for developers, said for people writing scenario files. */
function plainYamlMessage(message: string, code: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'MULTIPLE_DOCS') return 'a scenario file holds one YAML document: remove the extra "---"';
  return first;
}

/** The dotted path of a node from the ancestors `visit` hands over. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  const segments: string[] = [];
  const chain = [...ancestors, node];
  chain.forEach((ancestor, index) => {
    if (isPair(ancestor) && isScalar(ancestor.key)) segments.push(String(ancestor.key.value));
    const next = chain[index + 1];
    if (isSeq(ancestor) && next !== undefined) segments.push(String(ancestor.items.indexOf(next)));
  });
  return segments.join('.');
}

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

function substituteEnv(
  doc: Document,
  env: Readonly<Record<string, string | undefined>>,
  onMissing: (node: Node, path: string, name: string) => void,
  onMalformed: (node: Node, path: string) => void,
): void {
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${env:')) return;
      const unclosed = node.value.replace(ENV_REFERENCE, '').includes('${env:');
      if (unclosed) onMalformed(node, pathOf(ancestors, node));
      node.value = node.value.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined) return value;
        if (fallback !== undefined) return fallback;
        onMissing(node, pathOf(ancestors, node), name);
        return '';
      });
    },
  });
}

export function parseYamlSource(text: string, file: string, env: Readonly<Record<string, string | undefined>>): YamlSource {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are how people share service defaults; warnings become issues, never stderr noise.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, merge: true, logLevel: 'error' });
  const position = (offset: number) => lineCounter.linePos(offset);
  const issues: LocatedIssue[] = [];

  // One syntax error per line: the parser's follow-on complaints about the same line are noise.
  const linesWithErrors = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    const { line, col } = position(error.pos[0]);
    if (linesWithErrors.has(line)) continue;
    linesWithErrors.add(line);
    let message = plainYamlMessage(error.message, error.code);
    const key = /^[^:\n]+/.exec(text.slice(error.pos[0]))?.[0].trim();
    if (error.code === 'DUPLICATE_KEY' && key !== undefined) message = `${message}: "${key}" appears twice`;
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
    substituteEnv(doc, env, (node, path, name) => {
      const { line, col } = position(node.range?.[0] ?? 0);
      issues.push({ file, line, col, path, message: `environment variable ${name} is not set (referenced as \${env:${name}})` });
    }, (node, path) => {
      const { line, col } = position(node.range?.[0] ?? 0);
      issues.push({ file, line, col, path, message: 'malformed ${env:…}: write ${env:NAME} or ${env:NAME:-default}' });
    });
    data = toData(doc, (node, message) => {
      const { line, col } = position(node?.range?.[0] ?? 0);
      issues.push({ file, line, col, path: '', message: `YAML: ${message}` });
    });
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

/** The document as plain data; aliases that point nowhere, or an alias bomb, become located issues. */
function toData(doc: Document, onProblem: (node: Node | undefined, message: string) => void): unknown {
  let unresolved = false;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) === undefined) {
        onProblem(node, `unknown alias "*${node.source}": define "&${node.source}" before using it`);
        unresolved = true;
      }
    },
  });
  if (unresolved) return undefined;
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch {
    onProblem(findFirstAlias(doc), `aliases expand to more than ${MAX_ALIASES} nodes (an alias bomb?)`);
    return undefined;
  }
}

function findFirstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}
