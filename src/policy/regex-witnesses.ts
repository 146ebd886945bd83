/**
 * Strings a regex matches, and strings just outside it, derived from its RE2 syntax (not from its
 * literal text alone): the probes that compare meshes need requests on both sides of every path and
 * header regex, also those written as patterns (`.*a-book.*new`, `/v[0-9]+/x`, `.*-http-client/.*`).
 * Each candidate is checked against the regex itself (SMI's start-anchored match), so a witness is
 * never wrong, only perhaps missing (then the caller has fewer probes, never false ones).
 */
import { lexRe2, type SetItem, type Token } from '../api/re2-syntax.js';
import { compileStartAnchored } from '../api/re2.js';

type Node =
  | { readonly kind: 'seq'; readonly items: Node[] }
  | { readonly kind: 'alt'; readonly branches: Node[] }
  | { readonly kind: 'atom'; readonly choices: string[] }
  | { readonly kind: 'repeat'; readonly node: Node; readonly min: number; readonly max: number };

const CANDIDATES = ['a', 'x', '0', '7', '/', '-', '_', '.', 'Z', 'A', '~', ' ', 'é'];
const MAX = 8;

function perlHas(name: 'd' | 's' | 'w', c: string): boolean {
  return name === 'd' ? /[0-9]/.test(c) : name === 's' ? /[\t\n\f\r ]/.test(c) : /[0-9A-Za-z_]/.test(c);
}

function itemHas(item: SetItem, c: string): boolean | undefined {
  const cp = c.codePointAt(0) ?? 0;
  switch (item.kind) {
    case 'char': return cp === item.cp;
    case 'range': return cp >= item.lo && cp <= item.hi;
    case 'perl': return perlHas(item.name, c) !== item.negated;
    default: return undefined; // POSIX and Unicode classes: left to the final check
  }
}

/** Characters a set may match (first those written in it), checked where that can be done here. */
function setChoices(t: Extract<Token, { kind: 'set' }>): string[] {
  const written = t.negated ? [] : t.items.flatMap((i) => (i.kind === 'char' ? [String.fromCodePoint(i.cp)] : i.kind === 'range' ? [String.fromCodePoint(i.lo)] : []));
  const out: string[] = [];
  for (const c of [...written, ...CANDIDATES]) {
    const verdicts = t.items.map((i) => itemHas(i, c));
    const inside = verdicts.some((v) => v === true) ? true : verdicts.every((v) => v === false) ? false : undefined;
    if (inside === undefined || inside !== t.negated) out.push(c);
    if (out.length >= 2) break;
  }
  return out.length > 0 ? out : ['a'];
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  alt(): Node {
    const branches = [this.seq()];
    while (this.tokens[this.i]?.kind === 'alternate') {
      this.i++;
      branches.push(this.seq());
    }
    return branches.length === 1 ? (branches[0] as Node) : { kind: 'alt', branches };
  }

  private seq(): Node {
    const items: Node[] = [];
    for (;;) {
      const t = this.tokens[this.i];
      if (!t || t.kind === 'alternate' || t.kind === 'close') break;
      this.i++;
      switch (t.kind) {
        case 'char': items.push({ kind: 'atom', choices: [String.fromCodePoint(t.cp)] }); break;
        case 'dot': case 'any-byte': items.push({ kind: 'atom', choices: ['a', '/'] }); break;
        case 'set': items.push({ kind: 'atom', choices: setChoices(t) }); break;
        case 'open': {
          items.push(this.alt());
          if (this.tokens[this.i]?.kind === 'close') this.i++;
          break;
        }
        case 'repeat': {
          const last = items.pop();
          if (!last) break;
          const m = /^\{(\d+)(?:,(\d*))?\}/.exec(t.raw);
          const [min, max] = t.raw.startsWith('*') ? [0, Infinity] : t.raw.startsWith('+') ? [1, Infinity] : t.raw.startsWith('?') ? [0, 1]
            : m ? [Number(m[1]), m[2] === undefined ? Number(m[1]) : m[2] === '' ? Infinity : Number(m[2])] : [1, 1];
          items.push({ kind: 'repeat', node: last, min, max });
          break;
        }
        default: break; // assertions and flags consume nothing
      }
    }
    return { kind: 'seq', items };
  }
}

/** A few strings the node produces: the shortest first, then with one more of each repetition. */
function expand(node: Node): string[] {
  switch (node.kind) {
    case 'atom': return node.choices;
    case 'alt': return unique(node.branches.flatMap(expand)).slice(0, MAX);
    case 'repeat': {
      const inner = expand(node.node);
      const counts = [...new Set([node.min, Math.min(node.max, Math.max(node.min, 1)), Math.min(node.max, node.min + 1)])].filter((n) => n <= 64);
      return unique(counts.flatMap((n) => inner.slice(0, 2).map((s) => s.repeat(n)))).slice(0, MAX);
    }
    case 'seq': {
      let out = [''];
      for (const item of node.items) {
        const next = expand(item);
        out = unique(out.flatMap((prefix) => next.map((s) => prefix + s))).slice(0, MAX);
      }
      return out;
    }
  }
}

const unique = (xs: readonly string[]) => [...new Set(xs)];

export interface Witnesses {
  /** Strings the regex matches (start-anchored). */
  readonly inside: string[];
  /** Strings close to those that it does not match. */
  readonly outside: string[];
}

/**
 * Witnesses for an SMI regex. `shape` turns a candidate into what is tested (paths get a leading
 * slash); every returned string was checked against the regex.
 */
export function regexWitnesses(pattern: string, shape: (s: string) => string = (s) => s): Witnesses {
  const lexed = lexRe2(pattern);
  let matches: (s: string) => boolean;
  try {
    matches = compileStartAnchored(pattern);
  } catch {
    return { inside: [], outside: [] };
  }
  const raw = lexed.ok ? expand(new Parser(lexed.tokens).alt()) : [];
  const inside = unique(raw.flatMap((s) => [shape(s), shape(`${s}x`)]).filter(matches)).slice(0, 4);
  const outside = unique(inside.flatMap((s) => [s.slice(0, -1), `${s.slice(0, -1)}_`, `${s.slice(0, -1)}9`, shape(`q${s}`)]).filter((s) => s !== '' && !matches(s))).slice(0, 3);
  return { inside, outside };
}
