/**
 * Which SMI regexes (RE2, anchored at the start of the input) are exactly a set of literal prefixes
 * or exact strings — the only forms Istio authorization paths and header values can express.
 * Everything else is "inexpressible", and callers must fail closed.
 */
import { shownPattern } from '../api/limits.js';

export type LiteralForm = { kind: 'prefix'; value: string } | { kind: 'exact'; value: string };
export type RegexForms = { kind: 'any' } | { kind: 'literals'; forms: LiteralForm[] } | { kind: 'inexpressible'; why: string };

const META = new Set(['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\']);
const ESCAPABLE = new Set([...META, '/', '-', '_', '~', ':', '&', '=', '#', '@', '!', ',', ';', '%', "'", '"', ' ']);

function splitTopLevel(pattern: string): string[] | undefined {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      current += c + (pattern[i + 1] ?? '');
      i++;
    } else if (c === '(' || c === '[') {
      return undefined; // groups and classes: not literal
    } else if (c === '|') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Reads a branch as literal text followed by nothing (prefix), `.*` (prefix) or `$` (exact). */
function branchForm(branch: string): LiteralForm | 'any' | undefined {
  let text = branch.startsWith('^') ? branch.slice(1) : branch;
  let kind: LiteralForm['kind'] = 'prefix';
  if (text.endsWith('$') && !text.endsWith('\\$')) {
    kind = 'exact';
    text = text.slice(0, -1);
  } else {
    while (text.endsWith('.*') && !text.endsWith('\\.*')) text = text.slice(0, -2);
  }
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || !ESCAPABLE.has(next)) return undefined;
      literal += next;
      i++;
    } else if (META.has(c)) return undefined;
    else literal += c;
  }
  if (kind === 'prefix' && literal === '') return 'any';
  return { kind, value: literal };
}

export function regexForms(pattern: string | undefined): RegexForms {
  if (pattern === undefined) return { kind: 'any' };
  const branches = splitTopLevel(pattern);
  if (!branches) return { kind: 'inexpressible', why: `regex ${JSON.stringify(shownPattern(pattern))} has groups or character classes` };
  const forms: LiteralForm[] = [];
  for (const b of branches) {
    const f = branchForm(b);
    if (f === undefined) return { kind: 'inexpressible', why: `regex ${JSON.stringify(shownPattern(pattern))} is not a literal prefix, an exact string (ending in $) or .*` };
    if (f === 'any') return { kind: 'any' };
    forms.push(f);
  }
  return { kind: 'literals', forms };
}

/** An SMI regex (start-anchored) as an RE2 regex for engines that match the whole input (Envoy). */
export function fullMatchRegex(pattern: string | undefined): string {
  return pattern === undefined ? '.*' : `(?:${pattern}).*`;
}
