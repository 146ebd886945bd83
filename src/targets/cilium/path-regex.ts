/**
 * SMI pathRegex → the regex Cilium's proxy matches against the whole `:path`, query string included.
 *
 * SMI matches `^(?:R)` against the path alone, and a path never holds `?` (the first `?` starts the
 * query). Cilium's Envoy full-matches its rule against `path[?query]`, so writing `(?:R).*` lets the
 * query satisfy the rule (`.*a-book.*new` then allows `GET /nope?x=a-book-new`), and `/health$`
 * refuses `/health?verbose=1`. The rule written here is `(?:R')[^?]*(?:\?(?s:.*))?` where R' is R
 * with every atom narrowed so it cannot match `?` (so R' stays inside the path) and every end-of-text
 * anchor turned into "an optional query, then the end". That full-matches `path[?query]` exactly when
 * SMI's regex matches the path, whatever the query (property-tested on random patterns).
 *
 * Where that cannot be written exactly, the match fails closed (the caller leaves it out and says so):
 * the multi-line flag (`^`/`$` at line breaks), `\C` (any byte), and word-boundary assertions beside
 * an end anchor (after the query is consumed they would look at its last character).
 */
import { lexRe2, type SetItem } from '../../api/re2-syntax.js';
import { shownPattern } from '../../api/limits.js';

export type CiliumPathRegex = { readonly ok: true; readonly regex: string } | { readonly ok: false; readonly why: string };

const QUESTION = 0x3f;
/** A class nothing is in: what a literal `?` can match in a path. */
const NOTHING = '[^\\x00-\\x{10FFFF}]';
const QUERY = '(?:\\?(?s:.*))?';
const END_OF_PATH = `(?:${QUERY}\\z)`;
/** POSIX classes (ASCII) that hold `?`; every other one does not, so every negated one does. */
const POSIX_WITH_QUESTION = new Set(['ascii', 'graph', 'print', 'punct']);
const SPECIAL = new Set([...'\\.+*?()|[]{}^$']);

/** A character as RE2 reads it literally, inside brackets (where `-` is special too) or outside. */
function literal(cp: number, inClass = true): string {
  const ch = String.fromCodePoint(cp);
  if (SPECIAL.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  if (cp > 0x20 && cp < 0x7f) return ch;
  return `\\x{${cp.toString(16).toUpperCase()}}`;
}

/** A set item written back inside brackets (for a negated class, which keeps every item). */
function itemText(item: SetItem): string {
  switch (item.kind) {
    case 'char': return literal(item.cp);
    case 'range': return `${literal(item.lo)}-${literal(item.hi)}`;
    case 'perl': return `\\${item.negated ? item.name.toUpperCase() : item.name}`;
    case 'posix': return `[:${item.negated ? '^' : ''}${item.name}:]`;
    case 'unicode': return `\\${item.negated ? 'P' : 'p'}{${item.name}}`;
  }
}

/**
 * A positive set without `?`: items that cannot hold `?` stay in one class; ranges are split around
 * it; an item that may hold it becomes "the complement of its complement and `?`" (`[^\d?]` for
 * `\D`), which RE2 folds under (?i) exactly as it folds the item itself.
 */
function positiveSetWithoutQuestion(items: readonly SetItem[]): string {
  const kept: string[] = [];
  const alternatives: string[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'char':
        if (item.cp !== QUESTION) kept.push(literal(item.cp));
        break;
      case 'range':
        if (item.lo > QUESTION || item.hi < QUESTION) kept.push(itemText(item));
        else {
          if (item.lo < QUESTION) kept.push(itemText({ kind: 'range', lo: item.lo, hi: QUESTION - 1 }));
          if (item.hi > QUESTION) kept.push(itemText({ kind: 'range', lo: QUESTION + 1, hi: item.hi }));
        }
        break;
      case 'perl':
        if (item.negated) alternatives.push(`[^\\${item.name}\\?]`);
        else kept.push(itemText(item));
        break;
      case 'posix':
        if (POSIX_WITH_QUESTION.has(item.name) !== item.negated) alternatives.push(`[^${itemText({ ...item, negated: !item.negated })}\\?]`);
        else kept.push(itemText(item));
        break;
      case 'unicode':
        alternatives.push(`[^${itemText({ ...item, negated: !item.negated })}\\?]`);
        break;
    }
  }
  const parts = [...(kept.length > 0 ? [`[${kept.join('')}]`] : []), ...alternatives];
  if (parts.length === 0) return NOTHING;
  return parts.length === 1 ? (parts[0] as string) : `(?:${parts.join('|')})`;
}

export function ciliumPathRegex(pathRegex: string): CiliumPathRegex {
  const lexed = lexRe2(pathRegex);
  if (!lexed.ok) return { ok: false, why: `regex ${JSON.stringify(shownPattern(pathRegex))} could not be read (${lexed.why})` };
  let dotAll = false;
  const saved: boolean[] = [];
  let endAnchor = false;
  let boundary = false;
  let out = '';
  const flag = (flags: { on: string; off: string }): string | undefined => {
    if (flags.on.includes('m')) return 'the multi-line flag (?m)';
    if (flags.on.includes('s')) dotAll = true;
    if (flags.off.includes('s')) dotAll = false;
    return undefined;
  };
  for (const t of lexed.tokens) {
    switch (t.kind) {
      case 'char': out += t.cp === QUESTION ? NOTHING : literal(t.cp, false); break;
      case 'dot': out += dotAll ? '[^?]' : '[^\\n?]'; break;
      case 'set': out += t.negated ? `[^${t.items.map(itemText).join('')}\\?]` : positiveSetWithoutQuestion(t.items); break;
      case 'any-byte': return { ok: false, why: `regex ${JSON.stringify(shownPattern(pathRegex))} uses \\C (any byte)` };
      case 'assert':
        switch (t.which) {
          case 'begin-line': out += '^'; break;
          case 'begin-text': out += '\\A'; break;
          case 'end-line': case 'end-text': endAnchor = true; out += END_OF_PATH; break;
          case 'word-boundary': boundary = true; out += '\\b'; break;
          case 'not-word-boundary': boundary = true; out += '\\B'; break;
        }
        break;
      case 'open': {
        saved.push(dotAll);
        const problem = t.flags ? flag(t.flags) : undefined;
        if (problem) return { ok: false, why: `regex ${JSON.stringify(shownPattern(pathRegex))} uses ${problem}` };
        out += t.raw;
        break;
      }
      case 'flags': {
        const problem = flag(t.flags);
        if (problem) return { ok: false, why: `regex ${JSON.stringify(shownPattern(pathRegex))} uses ${problem}` };
        out += t.raw;
        break;
      }
      case 'close': dotAll = saved.pop() ?? false; out += ')'; break;
      case 'alternate': out += '|'; break;
      case 'repeat': out += t.raw; break;
    }
  }
  if (endAnchor && boundary) return { ok: false, why: `regex ${JSON.stringify(shownPattern(pathRegex))} has a word-boundary assertion beside an end anchor, which Cilium would test against the query string` };
  return { ok: true, regex: `(?:${out})[^?]*${QUERY}` };
}
