/**
 * The Cilium path rule must full-match `path[?query]` exactly when SMI's pathRegex matches the path
 * (start-anchored), whatever the query: random patterns built from atoms that can match `?` or
 * anchor at the end, random paths and queries, decided by RE2 on both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { ciliumPathRegex } from '../../src/targets/cilium/path-regex.js';
import { checkRe2 } from '../../src/api/re2.js';
import { lexRe2 } from '../../src/api/re2-syntax.js';

const ATOMS = [
  'a', 'b', '/', '-', '=', 'A', '\\?', '\\x3F', '\\x{3f}', '\\077', '.', '[^/]', '[!-~]', '[a-z?]', '[?]', '[>-@]', '[^a-]', '[]a]',
  '[[:punct:]]', '[[:^alpha:]]', '[[:print:]]', '\\W', '\\S', '\\D', '\\w', '\\d', '\\pP', '\\PL', '\\p{Greek}', '\\p{^L}', '[\\W\\d]', '[\\pP/]',
  '\\Q?a\\E', '\\Q.=\\E', '(?s:.)', '(?i:a)', '$', '\\z', '^', '\\A', '\\b', '\\B', '\\.', 'α', '[^\\n]', '\\n',
];
const QUANTIFIERS = ['', '', '*', '+', '?', '{1,2}', '*?'];

const atom = fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTIFIERS)).map(([a, q]) => (['$', '\\z', '^', '\\A', '\\b', '\\B'].includes(a) ? a : a + q));
const sequence = fc.array(atom, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));
const pattern = fc.tuple(
  fc.constantFrom('', '', '(?i)', '(?s)', '(?U)'),
  fc.oneof(sequence, fc.tuple(sequence, sequence).map(([x, y]) => `(?:${x}|${y})`), fc.tuple(sequence, sequence).map(([x, y]) => `${x}|${y}`), fc.tuple(sequence, sequence).map(([x, y]) => `(${x})${y}`)),
  fc.constantFrom('', '', '.*', '$', '/'),
).map(([f, body, tail]) => f + body + tail);

const PATH_CHARS = ['a', 'b', 'A', '/', '-', '=', '.', '!', 'α', '1', '\n'];
const path = fc.array(fc.constantFrom(...PATH_CHARS), { maxLength: 6 }).map((cs) => `/${cs.join('')}`);
const query = fc.option(fc.array(fc.constantFrom('a', '?', '/', '=', '.', 'b', '!'), { maxLength: 5 }).map((cs) => cs.join('')), { nil: undefined });

test('the Cilium rule matches path[?query] exactly when SMI matches the path, for any query', () => {
  let compared = 0;
  let refused = 0;
  fc.assert(fc.property(pattern, path, query, (regex, p, q) => {
    if (!checkRe2(regex).ok) return;
    const rule = ciliumPathRegex(regex);
    if (!rule.ok) {
      // Only where an exact rule cannot be written: the multi-line flag, or a word boundary beside an end anchor.
      assert.match(rule.why, /multi-line|word-boundary/, regex);
      refused++;
      return;
    }
    const cilium = RE2JS.compile(rule.regex);
    const smi = RE2JS.compile(regex).matcher(p).lookingAt();
    const full = q === undefined ? p : `${p}?${q}`;
    assert.equal(cilium.matches(full), smi, `pattern ${JSON.stringify(regex)} → ${rule.regex}\npath ${JSON.stringify(full)}: SMI ${smi}`);
    compared++;
  }), { numRuns: 20_000 });
  assert.ok(compared > 10_000 && refused > 0, JSON.stringify({ compared, refused }));
});

test('what the lexer reads back: every atom of the property above is understood', () => {
  for (const a of ATOMS) assert.ok(lexRe2(a).ok, a);
  assert.deepEqual(lexRe2('a{'), { ok: true, tokens: [{ kind: 'char', cp: 0x61 }, { kind: 'char', cp: 0x7b }] }, 'a brace that is not a repetition is a literal, as in RE2');
  assert.equal(lexRe2('(?=x)').ok, false, 'lookaheads are not RE2: the lexer says so rather than guess');
});

test('issue examples: the query cannot satisfy the path, and $ allows a query', () => {
  const rule = (r: string) => {
    const x = ciliumPathRegex(r);
    assert.ok(x.ok);
    return RE2JS.compile(x.regex);
  };
  assert.equal(rule('.*a-book.*new').matches('/nope?q=/a-booknew'), false);
  assert.equal(rule('.*a-book.*new').matches('/buy-a-book/new?x=1'), true);
  assert.equal(rule('/health$').matches('/health?verbose=1'), true);
  assert.equal(rule('/health$').matches('/healthz?verbose=1'), false);
});
