/**
 * The quick way through plain YAML: js-yaml, about ten times faster than the `yaml` library, with a
 * schema that resolves scalars exactly as `yaml`'s YAML 1.2 core schema does (js-yaml's own core
 * schema also reads 0b101, -0x1F and +0o7 as numbers, and not -.5e+3). Used only where it is known to
 * give the same values as the exact path (parse.ts decides; a property test holds them equal); the
 * `yaml` library keeps positions, comments and every diagnostic.
 */
import jsyaml from 'js-yaml';

const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;

const int = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string | null) => s !== null && INT.test(s),
  construct: (s: string) => (s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10)),
});

const float = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (s: string | null) => s !== null && (FLOAT_SPECIAL.test(s) || FLOAT.test(s)),
  construct: (s: string) => (FLOAT_SPECIAL.test(s) ? (s.slice(-3).toLowerCase() === 'nan' ? NaN : s.startsWith('-') ? -Infinity : Infinity) : parseFloat(s)),
});

const types = (jsyaml as unknown as { types: Record<'null' | 'bool', jsyaml.Type> }).types;

/** Scalars as `yaml`'s YAML 1.2 core schema resolves them. */
export const CORE_AS_YAML = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [types.null, types.bool, int, float] });

/** One document's value; throws (js-yaml's error) on anything it cannot read, duplicate keys included. */
export function loadDocument(text: string): unknown {
  return jsyaml.load(text, { schema: CORE_AS_YAML });
}

export interface DocumentSlice {
  /** [start, end) of the document's text, after its `---` line. */
  readonly start: number;
  readonly end: number;
  /** Offset of the first character of its content (not blank, not a comment); -1 when it has none. */
  readonly contentStart: number;
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)/;

/**
 * The documents of a stream, split at `---` and `...` lines. undefined when the stream uses what a
 * plain split cannot follow (directives, content on a marker line, a byte order mark): the exact path
 * reads those.
 */
export function splitDocuments(text: string): DocumentSlice[] | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  const out: DocumentSlice[] = [];
  let start = 0;
  let contentStart = -1;
  let afterEnd = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const c = text.charCodeAt(lineStart);
    if ((c === 0x2d || c === 0x2e) && MARKER.test(text.slice(lineStart, Math.min(lineEnd, lineStart + 4)))) {
      const rest = text.slice(lineStart + 3, lineEnd).trim();
      if (rest !== '' && !rest.startsWith('#')) return undefined;
      if (c === 0x2d || contentStart >= 0) out.push({ start, end: lineStart, contentStart });
      start = lineEnd + 1;
      contentStart = -1;
      afterEnd = c === 0x2e;
    } else if (c === 0x25 && contentStart < 0) {
      return undefined; // a directive (%YAML, %TAG)
    } else if (contentStart < 0) {
      let k = lineStart;
      while (k < lineEnd && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09 || text.charCodeAt(k) === 0x0d)) k++;
      if (k < lineEnd && text.charCodeAt(k) !== 0x23) {
        if (afterEnd) return undefined; // content after `...` without a new `---`
        contentStart = k;
      }
    }
    lineStart = lineEnd + 1;
  }
  out.push({ start, end: text.length, contentStart });
  // Documents with no content (only comments, or nothing between two markers) hold no object.
  return out.filter((d) => d.contentStart >= 0);
}
