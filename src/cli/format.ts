/** Printing diagnostics and documents. */
import { compareDiagnostics, type Diagnostic } from '../api/diagnostic.js';
import { toYamlStream } from '../api/yaml-write.js';

/** Compiler style: file:line:col: severity CODE: message (further message lines indented). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const field = d.path ? ` (${d.path})` : '';
  const [first, ...rest] = d.message.split('\n');
  return `${where}${d.severity} ${d.code}: ${first}${field}\n${rest.map((l) => `    ${l}\n`).join('')}`;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return [...diagnostics].sort(compareDiagnostics).map(formatDiagnostic).join('');
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

export type OutputFormat = 'yaml' | 'json';

/** Data as -o json or -o yaml asks for it: one document, the same fields either way. */
export function formatData(format: 'json' | 'yaml', value: unknown): string {
  return format === 'yaml' ? toYamlStream([value]) : `${JSON.stringify(value, null, 2)}\n`;
}
