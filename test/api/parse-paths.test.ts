/**
 * parseText takes a quick path (JSON.parse, js-yaml) where it can and the exact one (`yaml`, every
 * node's position) otherwise. Whatever the input — plain YAML with tricky scalars, block and flow
 * styles, comments, separators, Lists, JSON with repeated keys, tags, aliases, broken text — the two
 * must give the same documents, the same positions for the documents and for fields inside them, and
 * the same diagnostics.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseText, parseTextExact, type ParseOutput } from '../../src/api/parse.js';
import type { FieldPath } from '../../src/api/diagnostic.js';

// Plain scalars the two YAML libraries could read differently: numbers in every base and form, YAML 1.1 words, nulls, dates.
const PLAIN = ['1', '-0', '+12', '007', '0o17', '0x1F', '0b101', '-0x1F', '+0o7', '1_000', '1e3', '-.5e+3', '.5', '5.', '1.', '.inf', '-.Inf', '.NaN', '~', 'null', 'Null', 'NULL', 'nULL',
  'true', 'True', 'FALSE', 'yes', 'on', 'y', 'n', '2026-12-01', '2026-12-01T00:00:00Z', '1:20', '12345678901234567890', 'a b', 'x:y', 'café', '/api/.*', 'a#b', '<<', '=', '-'];
const KEYS = ['apiVersion', 'kind', 'name', 'spec', 'items', 'a', 'b', 'x-v', '1', 'true', 'null', '<<'];

const scalar = fc.oneof(
  fc.constantFrom(...PLAIN), fc.string({ maxLength: 6 }), fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null),
  fc.constantFrom('line one\nline two\n', 'trailing  ', ' lead', 'quote " and \' mark', 'tab\there', 'x: y', '# not a comment', '- dash', '[a]', '{b}', '@at', '%pct', '`tick', '!bang', '&amp', '*star'),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 3 }),
  map: fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
})).node;
const object = fc.record({ apiVersion: fc.constantFrom('v1', 'split.smi-spec.io/v1alpha4'), kind: fc.constantFrom('A', 'TrafficSplit'), metadata: fc.record({ name: fc.constantFrom('n', 'm') }), spec: value });
const list = fc.array(object, { maxLength: 3 }).map((items) => ({ apiVersion: 'v1', kind: 'List', items }));

/** A document written one of the ways people and tools write them. */
const written = fc.tuple(fc.oneof(object, list, value), fc.record({
  style: fc.constantFrom('block', 'flow', 'json', 'json-pretty', 'plain-lines'),
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  comment: fc.boolean(),
})).map(([v, o]) => {
  if (o.style === 'json') return JSON.stringify(v) ?? 'null';
  if (o.style === 'json-pretty') return JSON.stringify(v, null, o.indent) ?? 'null';
  if (o.style === 'plain-lines') {
    // Raw plain scalars, unquoted, so each library resolves them itself.
    const entries = Object.entries(v !== null && typeof v === 'object' && !Array.isArray(v) ? v : { a: v });
    return entries.map(([k, x], i) => `${k.replace(/[:#]/g, '_') || 'k'}${i}: ${typeof x === 'string' && PLAIN.includes(x) ? x : JSON.stringify(x) ?? 'null'}${o.comment ? ' # note' : ''}`).join('\n');
  }
  const text = stringify(v, { indent: o.indent, indentSeq: o.indentSeq, collectionStyle: o.style === 'flow' ? 'flow' : 'block', lineWidth: 0 });
  return o.comment ? `# leading comment\n\n${text}` : text;
});

/** Streams: documents joined by separators, with the odd empty document, end marker, comment or damage. */
const stream = fc.tuple(fc.array(written, { minLength: 1, maxLength: 4 }), fc.constantFrom('---\n', '\n---\n', '--- # sep\n', '...\n---\n', '---\n---\n'), fc.boolean(), fc.option(fc.constantFrom('a: 1\na: 2\n', 'b: [\n', '!!binary aGk=\n', 'x: &a [1]\ny: *a\n', 'x: &s str\ny: *s\n', '%YAML 1.2\n---\nz: 1\n', '--- {a: 1}\n', '{"a": 1, "a": 2}', '\t- bad', 'k: !custom v\n', '? a\n: b\n', '{[a]: 1}\n'), { nil: undefined }))
  .map(([docs, sep, startMarker, extra]) => (startMarker ? '---\n' : '') + [...docs, ...(extra ? [extra] : [])].join(sep));

function same(quick: ParseOutput, exact: ParseOutput, text: string): void {
  assert.deepStrictEqual(quick.diagnostics, exact.diagnostics, 'diagnostics');
  assert.equal(quick.documents.length, exact.documents.length, 'documents');
  quick.documents.forEach((d, i) => {
    const e = exact.documents[i]!;
    assert.deepStrictEqual(d.value, e.value, `document ${i} value`);
    assert.deepStrictEqual([d.origin.line, d.origin.column], [e.origin.line, e.origin.column], `document ${i} position in\n${text}`);
    for (const path of paths(e.value)) {
      for (const key of [false, true]) assert.deepStrictEqual(d.origin.locate(path, key), e.origin.locate(path, key), `document ${i} ${JSON.stringify(path)}${key ? ' (key)' : ''}`);
    }
  });
}

/** A few field paths of a value, existing and not. */
function paths(v: unknown, prefix: FieldPath = [], out: FieldPath[] = []): FieldPath[] {
  if (out.length > 12) return out;
  out.push(prefix);
  if (Array.isArray(v)) v.slice(0, 2).forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v).slice(0, 3)) paths(x, [...prefix, k], out);
  out.push([...prefix, 'missing']);
  return out;
}

describe('the quick and the exact way through parseText', () => {
  test('same documents, positions and diagnostics on random streams', () => {
    fc.assert(fc.property(stream, (text) => same(parseText(text, 'f.yaml'), parseTextExact(text, 'f.yaml'), text)), { numRuns: 1500 });
  });

  test('same on JSON Lists as kubectl get -o json writes them, repeated keys included', () => {
    fc.assert(fc.property(list, fc.constantFrom(0, 2, 4), fc.boolean(), (l, indent, repeat) => {
      let text = JSON.stringify(l, null, indent);
      if (repeat && l.items.length > 0) text = text.replace('"kind"', '"kind": "X", "kind"');
      same(parseText(text, 'f.json'), parseTextExact(text, 'f.json'), text);
    }), { numRuns: 300 });
  });

  test('named cases: a List item pointed at by a diagnostic, CRLF line ends, a byte order mark', () => {
    const listText = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'A', spec: { x: 1 } }, { kind: 'B', spec: { y: [1, 2] } }] }, null, 2);
    same(parseText(listText, 'l.json'), parseTextExact(listText, 'l.json'), listText);
    assert.deepEqual(parseText(listText, 'l.json').documents[1]!.origin.locate(['spec', 'y', 1]), { file: 'l.json', line: 16, column: 11 });
    for (const text of ['a: 1\r\nb:\r\n  - 2\r\n---\r\nc: 3\r\n', '\uFEFFa: 1\n', 'a: "x\n---\ny"\n']) same(parseText(text, 'f.yaml'), parseTextExact(text, 'f.yaml'), text);
    // The nesting limit, where the quick path counts depth while scanning instead of walking the value.
    for (const levels of [99, 100, 101]) {
      for (const text of ['['.repeat(levels) + '1' + ']'.repeat(levels), `{"kind":"List","items":[${'{"a":'.repeat(levels - 2)}1${'}'.repeat(levels - 2)}]}`]) {
        same(parseText(text, 'deep.json'), parseTextExact(text, 'deep.json'), text);
      }
    }
    assert.equal(parseText(`${'['.repeat(101)}1${']'.repeat(101)}`, 'deep.json').diagnostics[0]?.code, 'SMI_TOO_DEEP');
  });
});
