/**
 * An OpenAPI path template as an SMI pathRegex (pure). SMI anchors pathRegex at the start of the path
 * (docs/semantics.md A7), so the regex ends with `$` to match the template exactly: literal text
 * escaped, each `{parameter}` one non-empty segment — narrowed to digits for an integer and to the
 * listed values for an enum of plain strings, where that says exactly what the schema allows.
 */
export interface PathParameter {
  readonly name: string;
  /** The parameter's schema, $refs resolved. */
  readonly schema?: { readonly type?: string | readonly string[]; readonly enum?: readonly unknown[]; readonly format?: string };
  /** OpenAPI 3 style: only `simple` (the default) puts the bare value in the segment. */
  readonly style?: string;
}

export type TemplateRegex = { readonly regex: string } | { readonly error: string };

/** RE2's metacharacters, escaped. */
export const escapeRe2 = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/** A segment's value may not hold `/` (it would be two segments) nor be empty. */
const SEGMENT = '[^/]+';

function parameterRegex(p: PathParameter | undefined): { regex: string; note?: string } | { error: string } {
  if (p?.style !== undefined && p.style !== 'simple') return { error: `parameter ${p.name} has style ${p.style}: its segment carries more than the value` };
  const schema = p?.schema;
  const type = Array.isArray(schema?.type) ? undefined : (schema?.type as string | undefined);
  if (schema?.enum && schema.enum.length > 0 && schema.enum.every((v) => (typeof v === 'string' && v !== '' && !v.includes('/')) || (typeof v === 'number' && Number.isInteger(v)))) {
    const values = [...new Set(schema.enum.map(String))].sort();
    return { regex: `(?:${values.map(escapeRe2).join('|')})` };
  }
  if (type === 'integer') return { regex: '-?[0-9]+' };
  return { regex: SEGMENT };
}

/** `/pets/{petId}` under base path `/v1` → `/v1/pets/-?[0-9]+$` (with petId an integer). */
export function templateRegex(basePath: string, template: string, parameters: readonly PathParameter[]): TemplateRegex {
  const base = basePath.replace(/\/+$/, '');
  const path = `${base}${template.startsWith('/') ? '' : '/'}${template}`;
  const byName = new Map(parameters.map((p) => [p.name, p]));
  let out = '';
  let last = 0;
  for (const m of path.matchAll(/\{([^{}]*)\}/g)) {
    const literal = path.slice(last, m.index);
    if (/[{}]/.test(literal)) return { error: `path ${template}: unbalanced braces` };
    out += escapeRe2(literal);
    const name = m[1]!;
    if (name === '') return { error: `path ${template}: an empty {} parameter` };
    const p = parameterRegex(byName.get(name) ?? { name });
    if ('error' in p) return p;
    out += p.regex;
    last = m.index + m[0].length;
  }
  const rest = path.slice(last);
  if (/[{}]/.test(rest)) return { error: `path ${template}: unbalanced braces` };
  out += escapeRe2(rest);
  if (/\?|#/.test(path)) return { error: `path ${template}: a query string or fragment is not part of a path template` };
  return { regex: `${out}$` };
}
