/**
 * RE2 pattern syntax as a flat list of tokens: enough structure to rewrite a pattern atom by atom
 * without changing what the rest of it means (the Cilium target narrows every atom so it cannot
 * match `?`). Written from RE2's syntax reference. The input is a pattern RE2 accepts (checkRe2
 * first); whatever this lexer does not recognise is an error value, and callers fail closed.
 */

/** One member of a character set: inside brackets, or a class escape on its own (`\d`, `\pL`). */
export type SetItem =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  /** `\d \s \w` (negated: `\D \S \W`). */
  | { readonly kind: 'perl'; readonly name: 'd' | 's' | 'w'; readonly negated: boolean }
  /** `[:alpha:]` (negated: `[:^alpha:]`); only inside brackets. */
  | { readonly kind: 'posix'; readonly name: string; readonly negated: boolean }
  /** `\pL`, `\p{Greek}` (negated: `\PL`, `\P{Greek}`, `\p{^Greek}`). */
  | { readonly kind: 'unicode'; readonly name: string; readonly negated: boolean };

export type Assertion = 'begin-line' | 'end-line' | 'begin-text' | 'end-text' | 'word-boundary' | 'not-word-boundary';

export type Token =
  /** A literal character, however it was written (`a`, `\.`, `\x{2F}`, inside `\Q…\E`). */
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'dot' }
  /** `[…]`, or a class escape outside brackets (one item, not negated as a bracket). */
  | { readonly kind: 'set'; readonly negated: boolean; readonly items: readonly SetItem[]; readonly bracket: boolean }
  | { readonly kind: 'assert'; readonly which: Assertion }
  /** `\C`: any byte. */
  | { readonly kind: 'any-byte' }
  /** `(`, `(?:`, `(?P<name>`, `(?<name>`, `(?flags:`; `flags` only for the last. */
  | { readonly kind: 'open'; readonly raw: string; readonly flags?: Flags }
  /** `(?flags)`: changes flags until the end of the enclosing group. */
  | { readonly kind: 'flags'; readonly raw: string; readonly flags: Flags }
  | { readonly kind: 'close' }
  | { readonly kind: 'alternate' }
  /** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally followed by `?` (non-greedy). */
  | { readonly kind: 'repeat'; readonly raw: string };

/** Flags switched on and off by `(?is-m)`. */
export interface Flags {
  readonly on: string;
  readonly off: string;
}

export type LexResult = { readonly ok: true; readonly tokens: readonly Token[] } | { readonly ok: false; readonly why: string };

class LexError extends Error {}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
const REPEAT = /^\{(\d+)(,(\d*))?\}/;
const FLAGS = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/;
const NAMED = /^\(\?P?<[A-Za-z0-9_]+>/;

/** The tokens of an RE2 pattern, or why it could not be read. */
export function lexRe2(pattern: string): LexResult {
  try {
    return { ok: true, tokens: new Lexer(pattern).all() };
  } catch (e) {
    if (e instanceof LexError) return { ok: false, why: e.message };
    throw e;
  }
}

class Lexer {
  private i = 0;
  constructor(private readonly p: string) {}

  all(): Token[] {
    const out: Token[] = [];
    while (this.i < this.p.length) out.push(...this.next());
    return out;
  }

  private peek(offset = 0): string {
    const cp = this.p.codePointAt(this.i + offset);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  private take(): number {
    const cp = this.p.codePointAt(this.i);
    if (cp === undefined) throw new LexError('unexpected end of pattern');
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private next(): Token[] {
    const rest = this.p.slice(this.i);
    const c = this.peek();
    switch (c) {
      case '.': this.i++; return [{ kind: 'dot' }];
      case '^': this.i++; return [{ kind: 'assert', which: 'begin-line' }];
      case '$': this.i++; return [{ kind: 'assert', which: 'end-line' }];
      case '|': this.i++; return [{ kind: 'alternate' }];
      case ')': this.i++; return [{ kind: 'close' }];
      case '[': return [this.bracket()];
      case '\\': return this.escapeOutside();
      case '*': case '+': case '?': return [this.repeat(1)];
      case '{': {
        const m = REPEAT.exec(rest);
        if (m) return [this.repeat(m[0].length)];
        this.i++;
        return [{ kind: 'char', cp: 0x7b }]; // not a repetition: a literal brace, as in RE2
      }
      case '(': {
        if (rest.startsWith('(?:')) { this.i += 3; return [{ kind: 'open', raw: '(?:' }]; }
        const named = NAMED.exec(rest);
        if (named) { this.i += named[0].length; return [{ kind: 'open', raw: named[0] }]; }
        if (rest.startsWith('(?')) {
          const f = FLAGS.exec(rest);
          if (!f || (f[1] === '' && (f[2] ?? '') === '')) throw new LexError(`unsupported group syntax at offset ${this.i}`);
          this.i += f[0].length;
          const flags = { on: f[1] ?? '', off: f[2] ?? '' };
          return [f[3] === ')' ? { kind: 'flags', raw: f[0], flags } : { kind: 'open', raw: f[0], flags }];
        }
        this.i++;
        return [{ kind: 'open', raw: '(' }];
      }
      default:
        return [{ kind: 'char', cp: this.take() }];
    }
  }

  private repeat(length: number): Token {
    let raw = this.p.slice(this.i, this.i + length);
    this.i += length;
    if (this.peek() === '?') { raw += '?'; this.i++; }
    return { kind: 'repeat', raw };
  }

  private escapeOutside(): Token[] {
    const c = this.peek(1);
    switch (c) {
      case 'A': this.i += 2; return [{ kind: 'assert', which: 'begin-text' }];
      case 'z': this.i += 2; return [{ kind: 'assert', which: 'end-text' }];
      case 'b': this.i += 2; return [{ kind: 'assert', which: 'word-boundary' }];
      case 'B': this.i += 2; return [{ kind: 'assert', which: 'not-word-boundary' }];
      case 'C': this.i += 2; return [{ kind: 'any-byte' }];
      case 'Q': {
        // Literal text up to \E (or the end of the pattern).
        this.i += 2;
        const end = this.p.indexOf('\\E', this.i);
        const text = end < 0 ? this.p.slice(this.i) : this.p.slice(this.i, end);
        this.i = end < 0 ? this.p.length : end + 2;
        return [...text].map((ch) => ({ kind: 'char', cp: ch.codePointAt(0) ?? 0 }));
      }
      case 'E': this.i += 2; return []; // a stray \E ends nothing: RE2 ignores it
      default: {
        const item = this.escape();
        return [item.kind === 'char' ? item : { kind: 'set', negated: false, items: [item], bracket: false }];
      }
    }
  }

  /** An escape that stands for a character or a class; `this.i` is at the backslash. */
  private escape(): SetItem {
    this.i++; // the backslash
    const c = this.peek();
    if (c === '') throw new LexError('trailing backslash');
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) { this.i++; return { kind: 'char', cp: simple }; }
    if (c >= '0' && c <= '7') {
      const m = /^[0-7]{1,3}/.exec(this.p.slice(this.i)) as RegExpExecArray;
      this.i += m[0].length;
      return { kind: 'char', cp: parseInt(m[0], 8) };
    }
    if (c === 'x') {
      this.i++;
      if (this.peek() === '{') {
        const end = this.p.indexOf('}', this.i);
        if (end < 0) throw new LexError('unterminated \\x{');
        const hex = this.p.slice(this.i + 1, end);
        this.i = end + 1;
        return { kind: 'char', cp: parseInt(hex, 16) };
      }
      const hex = this.p.slice(this.i, this.i + 2);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new LexError('bad \\x escape');
      this.i += 2;
      return { kind: 'char', cp: parseInt(hex, 16) };
    }
    if ('dswDSW'.includes(c)) {
      this.i++;
      return { kind: 'perl', name: c.toLowerCase() as 'd' | 's' | 'w', negated: c !== c.toLowerCase() };
    }
    if (c === 'p' || c === 'P') {
      this.i++;
      let name: string;
      if (this.peek() === '{') {
        const end = this.p.indexOf('}', this.i);
        if (end < 0) throw new LexError('unterminated \\p{');
        name = this.p.slice(this.i + 1, end);
        this.i = end + 1;
      } else name = String.fromCodePoint(this.take());
      let negated = c === 'P';
      if (name.startsWith('^')) { negated = !negated; name = name.slice(1); }
      return { kind: 'unicode', name, negated };
    }
    // Any other escaped punctuation stands for itself; letters and digits are not escapes in RE2.
    if (/^[A-Za-z0-9]$/.test(c)) throw new LexError(`unsupported escape \\${c}`);
    return { kind: 'char', cp: this.take() };
  }

  private bracket(): Token {
    this.i++; // [
    let negated = false;
    if (this.peek() === '^') { negated = true; this.i++; }
    const items: SetItem[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === '') throw new LexError('unterminated character class');
      if (c === ']' && !first) { this.i++; break; }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const end = this.p.indexOf(':]', this.i + 2);
        if (end >= 0) {
          let name = this.p.slice(this.i + 2, end);
          this.i = end + 2;
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          items.push({ kind: 'posix', name, negated: neg });
          continue;
        }
      }
      const lo = this.classAtom();
      if (lo.kind === 'char' && this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++; // -
        const hi = this.classAtom();
        if (hi.kind !== 'char') throw new LexError('a range must end in a character');
        items.push({ kind: 'range', lo: lo.cp, hi: hi.cp });
      } else items.push(lo);
    }
    return { kind: 'set', negated, items, bracket: true };
  }

  private classAtom(): SetItem {
    if (this.peek() === '\\') {
      const c = this.peek(1);
      if ('AzbBCQE'.includes(c) && c !== '') throw new LexError(`\\${c} inside a character class`);
      return this.escape();
    }
    return { kind: 'char', cp: this.take() };
  }
}

/**
 * An upper estimate of the instructions RE2 compiles a pattern to, from its tokens alone (nothing is
 * compiled): every atom is one, a group adds two, `*` `+` `?` add one, and `{n,m}` copies what it
 * repeats max(n, m) times (n + 1 when unbounded) — so nested repetitions multiply. Validation bounds
 * it: a short pattern such as `(?:a{1000}){250}` would otherwise cost a quarter of a second to compile
 * on every review.
 */
export function re2ProgramSize(tokens: readonly Token[]): number {
  interface Frame { total: number; last: number }
  const stack: Frame[] = [{ total: 0, last: 0 }];
  for (const t of tokens) {
    const top = stack[stack.length - 1]!;
    switch (t.kind) {
      case 'open':
        stack.push({ total: 0, last: 0 });
        break;
      case 'close': {
        if (stack.length === 1) break;
        const inner = stack.pop()!;
        const parent = stack[stack.length - 1]!;
        parent.total += inner.total + 2;
        parent.last = inner.total + 2;
        break;
      }
      case 'repeat': {
        const m = /^\{(\d+)(?:,(\d*))?\}/.exec(t.raw);
        const times = m ? Math.max(1, Number(m[1]), m[2] === undefined ? 0 : m[2] === '' ? Number(m[1]) + 1 : Number(m[2])) : 1;
        top.total += top.last * (times - 1) + 1;
        top.last = top.last * times + 1;
        break;
      }
      case 'alternate':
        top.total += 1;
        top.last = 0;
        break;
      case 'flags':
        break;
      default:
        top.total += 1;
        top.last = 1;
    }
  }
  return stack.reduce((n, f) => n + f.total, 0);
}
