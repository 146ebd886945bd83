/**
 * A diagnostic is a value, never a thrown error: every stage returns the problems it found so the
 * caller decides how to print them and what exit code they mean.
 */
export type Severity = 'error' | 'warning' | 'info';

/** Where a diagnostic points: a field path inside a document, and file:line:col when known. */
export interface SourceLocation {
  readonly file?: string;
  /** 1-based line and column. */
  readonly line?: number;
  readonly column?: number;
}

export interface Diagnostic extends SourceLocation {
  readonly severity: Severity;
  /** Stable, greppable code, e.g. SMI_REGEX_UNSUPPORTED. Scripts may rely on it. */
  readonly code: string;
  readonly message: string;
  /** Field path inside the document, e.g. spec.backends[1].weight; empty for the whole document. */
  readonly path: string;
  /** kind/namespace/name of the object the diagnostic is about, when there is one. */
  readonly object?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** A path as a list of keys and indexes, the shape both the schema checker and YAML nodes use. */
export type FieldPath = readonly (string | number)[];

/** Renders a path the way kubectl explains fields: spec.backends[1].weight. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Orders diagnostics by file, then position, then code, so output is stable. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    a.code.localeCompare(b.code) ||
    a.path.localeCompare(b.path)
  );
}
