/**
 * Text → documents, with positions. Pure: the caller reads files. Multi-document YAML and JSON
 * (JSON is YAML), Kubernetes List kinds flattened, and every problem reported as a diagnostic.
 *
 * Two ways through, same result. The exact path parses with the `yaml` library, which keeps every
 * node's position — and is slow: 10k objects take seconds. The quick path reads JSON with JSON.parse
 * and plain YAML with js-yaml (fast-yaml.ts), works out where each document starts from the text, and
 * parses a document with `yaml` only when a position inside it is asked for (a diagnostic points
 * there). Whatever the quick path is not sure to read as the exact path would — a syntax error, a
 * repeated key, tags, directives, aliases of collections — goes the exact way, whole.
 */
import { parseAllDocuments, parseDocument, isMap, isSeq, isScalar, isPair, type Document, type Node } from 'yaml';
import { loadDocument, splitDocuments } from './fast-yaml.js';
import { scanJson } from './json-scan.js';
import { stringInterner } from './intern.js';
import type { Diagnostic, FieldPath, SourceLocation } from './diagnostic.js';
import type { LoadedDocument, Origin } from './document.js';
import { isRecord } from './object.js';

export interface ParseOutput {
  readonly documents: LoadedDocument[];
  readonly diagnostics: Diagnostic[];
}

/** Line starts, computed only when a position is first asked for. */
class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}
  position(offset: number): { line: number; column: number } {
    if (!this.starts) {
      this.starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** Finds the node for a path: the value node, or the key node when asked or when the value is absent. */
function nodeAt(root: unknown, path: FieldPath, preferKey: boolean): Node | undefined {
  let node = root as Node | undefined;
  let best = node;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return best;
      if (last && preferKey) return pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) return best;
      node = item;
    } else {
      return best;
    }
    best = node;
  }
  return best;
}

function makeOrigin(file: string, lines: LineIndex, doc: Document, prefix: FieldPath): Origin {
  const locate = (path: FieldPath, preferKey = false): SourceLocation => {
    const node = nodeAt(doc.contents, [...prefix, ...path], preferKey);
    const offset = node?.range?.[0];
    if (offset === undefined) return { file };
    return { file, ...lines.position(offset) };
  };
  const here = locate([]);
  return { file, line: here.line ?? 0, column: here.column ?? 0, locate };
}

/** Kubernetes lists (kind List, or any *List with items) hold objects to load one by one. */
function isList(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) &&
    !(typeof value.apiVersion === 'string' && value.apiVersion.startsWith('metrics.smi-spec.io/'));
}

/** How deep any input may nest: no Kubernetes object comes near it. Files and webhook reviews alike. */
export const MAX_NESTING = 100;

/** Whether a value nests deeper than `limit` (iteratively: no recursion to overflow). */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > limit) return true;
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** The same object reached twice: a YAML alias of a collection, which the exact path expands (and limits). */
function sharesObjects(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (seen.has(v)) return true;
    seen.add(v);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return false;
}

export function parseText(text: string, file: string): ParseOutput {
  if (text.includes('\u0000') || text.includes('\uFFFD')) return parseTextExact(text, file);
  return parseQuickly(text, file) ?? parseTextExact(text, file);
}

/**
 * An origin whose positions are worked out when first asked for: `node(path)` gives the offset of a
 * node in the whole text (parsing the document's own text with `yaml` then), `at` the offset of the
 * document or item itself when known without parsing.
 */
function lazyOrigin(file: string, lines: LineIndex, at: number | undefined, node: (path: FieldPath, preferKey: boolean) => number | undefined): Origin {
  let here: { line: number; column: number } | undefined;
  const position = () => (here ??= (() => {
    const offset = at ?? node([], false);
    return offset === undefined ? { line: 0, column: 0 } : lines.position(offset);
  })());
  return {
    file,
    get line() { return position().line; },
    get column() { return position().column; },
    locate(path, preferKey = false) {
      const offset = node(path, preferKey);
      return offset === undefined ? { file } : { file, ...lines.position(offset) };
    },
  };
}

/** Node offsets inside text[start, end), found by parsing that slice alone with `yaml`, once. */
function sliceLocator(text: string, start: number, end: number, prefix: FieldPath): (path: FieldPath, preferKey: boolean) => number | undefined {
  let doc: Document.Parsed | undefined;
  return (path, preferKey) => {
    doc ??= parseDocument(text.slice(start, end), { prettyErrors: false, uniqueKeys: true });
    const offset = nodeAt(doc.contents, [...prefix, ...path], preferKey)?.range?.[0];
    return offset === undefined ? undefined : start + offset;
  };
}

/** The documents of one loaded value: itself, or the items of a List with the origin of each. `depth`: how deep it nests, when known. */
function documentsOf(value: unknown, file: string, origin: Origin, itemOrigin: (i: number) => Origin, diagnostics: Diagnostic[], depth?: number): LoadedDocument[] {
  if (depth !== undefined ? depth > MAX_NESTING : depthExceeds(value, MAX_NESTING)) {
    diagnostics.push({ severity: 'error', code: 'SMI_TOO_DEEP', message: `the document nests deeper than ${MAX_NESTING} levels; no Kubernetes object does`, path: '', file, line: origin.line, column: origin.column });
    return [];
  }
  if (isRecord(value) && isList(value)) return (value.items as unknown[]).map((item, i) => ({ value: item, origin: itemOrigin(i) }));
  return [{ value, origin }];
}

function parseQuickly(text: string, file: string): ParseOutput | undefined {
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const first = text.search(/\S/);
  if (first < 0) return { documents: [], diagnostics };
  if (text[first] === '{' || text[first] === '[') {
    const scan = scanJson(text);
    if (!scan.ok) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (value === null) return { documents: [], diagnostics };
    stringInterner()(value);
    const root = sliceLocator(text, 0, text.length, []);
    const items = scan.layout.items;
    const itemOrigin = (i: number): Origin => {
      const range = items?.[i];
      return range ? lazyOrigin(file, lines, range[0], sliceLocator(text, range[0], range[1], [])) : lazyOrigin(file, lines, undefined, (path, key) => root(['items', i, ...path], key));
    };
    return { documents: documentsOf(value, file, lazyOrigin(file, lines, scan.layout.rootStart, root), itemOrigin, diagnostics, scan.layout.depth), diagnostics };
  }
  const slices = splitDocuments(text);
  if (!slices) return undefined;
  const internStrings = stringInterner();
  const documents: LoadedDocument[] = [];
  for (const slice of slices) {
    const body = text.slice(slice.start, slice.end);
    // Tags read differently in the two libraries: the exact path reads them (and warns).
    if (/(?:^|[\s,[{:-])!/.test(body)) return undefined;
    // So do keys that are collections or explicit (`? `): the exact path writes them as YAML.
    if (/(?:^|[\s,[{])\?(?:[ \t]|$)/m.test(body) || /[\]}][ \t]*:(?:[ \s]|$)/.test(body)) return undefined;
    let value: unknown;
    try {
      value = loadDocument(body);
    } catch {
      return undefined;
    }
    if (value === null || value === undefined) continue;
    if (sharesObjects(value)) return undefined;
    internStrings(value);
    const root = sliceLocator(text, slice.start, slice.end, []);
    const origin = lazyOrigin(file, lines, slice.contentStart, root);
    documents.push(...documentsOf(value, file, origin, (i) => lazyOrigin(file, lines, undefined, (path, key) => root(['items', i, ...path], key)), diagnostics));
  }
  return { documents, diagnostics };
}

/** The exact path: every document through the `yaml` library, positions of every node at hand. */
export function parseTextExact(text: string, file: string): ParseOutput {
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(text);
  const problem = (code: string, message: string, at: SourceLocation = { file }): void => {
    diagnostics.push({ severity: 'error', code, message, path: '', file, line: at.line, column: at.column });
  };

  if (text.includes('\u0000') || text.includes('\uFFFD')) {
    const offset = Math.max(text.indexOf('\u0000'), 0);
    problem('SMI_NOT_TEXT', 'the input is not UTF-8 text (it holds NUL or invalid bytes); give a YAML or JSON file', lines.position(offset));
    return { documents, diagnostics };
  }

  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (error) {
    problem('SMI_YAML_SYNTAX', `cannot parse YAML: ${(error as Error).message}`);
    return { documents, diagnostics };
  }
  if (!Array.isArray(docs)) docs = [docs];

  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = lines.position(e.pos[0]);
        problem('SMI_YAML_SYNTAX', `YAML syntax: ${e.message.split('\n')[0]}`, at);
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document between separators
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problem('SMI_YAML_SYNTAX', `cannot read YAML document: ${(error as Error).message}`, lines.position(doc.range[0]));
      continue;
    }
    if (value === null || value === undefined) continue; // empty, or only comments: kubectl skips these too
    const origin = makeOrigin(file, lines, doc, []);
    if (depthExceeds(value, MAX_NESTING)) {
      problem('SMI_TOO_DEEP', `the document nests deeper than ${MAX_NESTING} levels; no Kubernetes object does`, origin);
      continue;
    }
    if (isRecord(value) && isList(value)) {
      (value.items as unknown[]).forEach((item, i) => {
        documents.push({ value: item, origin: makeOrigin(file, lines, doc, ['items', i]) });
      });
    } else {
      documents.push({ value, origin });
    }
  }
  return { documents, diagnostics };
}
