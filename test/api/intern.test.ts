/** Loaded documents share one copy of each short string value: the values stay exactly what was loaded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringInterner } from '../../src/api/intern.js';
import { parseText } from '../../src/api/parse.js';

test('interning changes no value: any JSON-like data is deep-equal before and after', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    const copy = structuredClone(value);
    assert.deepStrictEqual(stringInterner()(copy), value);
  }), { numRuns: 500 });
});

test('documents read back the same, long values and repeated values alike', () => {
  const long = 'x'.repeat(300);
  const text = Array.from({ length: 3 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata: {name: svc-${i}, namespace: a-namespace-of-some-length, labels: {long: "${long}"}}\nspec: {ports: [{name: http, port: 80}]}\n`).join('---\n');
  const docs = parseText(text, 'x.yaml').documents.map((d) => d.value as { metadata: { namespace: string; labels: { long: string } } });
  assert.deepEqual(docs.map((d) => d.metadata.namespace), ['a-namespace-of-some-length', 'a-namespace-of-some-length', 'a-namespace-of-some-length']);
  assert.equal(docs[2]!.metadata.labels.long, long);
});
