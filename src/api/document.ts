/**
 * A document as loaded from a file: its plain value, and where it came from so that any field path
 * inside it can be turned into file:line:col.
 */
import type { FieldPath, SourceLocation } from './diagnostic.js';

export interface Origin {
  readonly file: string;
  /** Position of the document (or List item) itself. */
  readonly line: number;
  readonly column: number;
  /** Position of a field inside the document; the nearest existing ancestor when the field is absent. */
  locate(path: FieldPath, preferKey?: boolean): SourceLocation;
}

export interface LoadedDocument {
  readonly value: unknown;
  readonly origin: Origin;
}

/** For objects made in code (tests, the controller): positions are unknown. */
export function syntheticOrigin(file = '<memory>'): Origin {
  return { file, line: 0, column: 0, locate: () => ({ file }) };
}
