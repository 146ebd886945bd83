/** Printing diagnostics and documents. */
import { compareDiagnostics, type Diagnostic } from '../api/diagnostic.js';
import { toYamlStream, yamlStreamChunks } from '../api/yaml-write.js';

/** Compiler style: file:line:col: severity CODE: message (further message lines indented). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const field = d.path ? ` (${d.path})` : '';
  const [first, ...rest] = d.message.split('\n');
  return `${where}${d.severity} ${d.code}: ${first}${field}\n${rest.map((l) => `    ${l}\n`).join('')}`;
}

/** Past this many diagnostics of one code, the text shows the first few and a count (-o json keeps them all). */
export const GROUP_AFTER = 10;
const SHOWN_OF_GROUP = 3;

/**
 * Compiler style, one per line; a code repeated more than GROUP_AFTER times (one warning per
 * destination at 50k destinations) shows its first few and one line counting the rest.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const count = new Map<string, number>();
  for (const d of sorted) count.set(`${d.severity} ${d.code}`, (count.get(`${d.severity} ${d.code}`) ?? 0) + 1);
  const shown = new Map<string, number>();
  const out: string[] = [];
  for (const d of sorted) {
    const key = `${d.severity} ${d.code}`;
    const total = count.get(key) ?? 0;
    const n = (shown.get(key) ?? 0) + 1;
    shown.set(key, n);
    if (total <= GROUP_AFTER || n <= SHOWN_OF_GROUP) out.push(formatDiagnostic(d));
    else if (n === SHOWN_OF_GROUP + 1) out.push(`… and ${(total - SHOWN_OF_GROUP).toLocaleString('en')} more ${d.severity}${total - SHOWN_OF_GROUP === 1 ? '' : 's'} ${d.code} like these (each object's in -o json, where the command has it)\n`);
  }
  return out.join('');
}

/** The JSON shape of `-o json`: every field present, in a fixed order. */
export function diagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  const rows = [...diagnostics].sort(compareDiagnostics).map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: d.path,
    file: d.file ?? null,
    line: d.line ?? null,
    column: d.column ?? null,
    object: d.object ?? null,
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function summary(diagnostics: readonly Diagnostic[]): string {
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}`;
}

export function toJson(objects: readonly unknown[]): string {
  if (objects.length === 1) return `${JSON.stringify(objects[0], null, 2)}\n`;
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}

/** toJson's text in pieces of `per` objects (a List's items indented as JSON.stringify does), never held whole. */
export function* jsonChunks(objects: readonly unknown[], per = 1000): Generator<string> {
  if (objects.length <= 1) {
    yield toJson(objects);
    return;
  }
  yield '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n';
  for (let i = 0; i < objects.length; i += per) {
    // A JSON string holds no raw line break, so every line break is the layout's: indent it two levels.
    const piece = objects.slice(i, i + per).map((o) => `    ${JSON.stringify(o, null, 2).replace(/\n/g, '\n    ')}`).join(',\n');
    yield i === 0 ? piece : `,\n${piece}`;
  }
  yield '\n  ]\n}\n';
}

/** Objects as -o yaml or -o json writes them, in pieces. */
export const outputChunks = (format: OutputFormat, objects: readonly unknown[]): Iterable<string> => (format === 'json' ? jsonChunks(objects) : yamlStreamChunks(objects));

export type OutputFormat = 'yaml' | 'json';

/** Data as -o json or -o yaml asks for it: one document, the same fields either way. */
export function formatData(format: 'json' | 'yaml', value: unknown): string {
  return format === 'yaml' ? toYamlStream([value]) : `${JSON.stringify(value, null, 2)}\n`;
}
