/**
 * One object must not be able to cost smi seconds or hundreds of megabytes: regexes are bounded in
 * the schema (and the CRDs), in total per object, in the caches, and never echoed whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { validateYaml } from '../support/inputs.js';
import { admit } from '../../src/webhooks/admission.js';
import { PatternCache } from '../../src/api/pattern-cache.js';
import { MAX_REGEX_LENGTH, MAX_REGEX_TEXT_PER_OBJECT } from '../../src/api/limits.js';
import { allCrds } from '../../src/api/crds.js';

const group = (matches: unknown[]) => ({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'g', namespace: 'shop' }, spec: { matches } });
const alternation = (n: number) => Array.from({ length: n }, (_, i) => `/p${i}`).join('|');

test('a 2 MB alternation is refused by the schema, without compiling it and without echoing it', () => {
  const huge = alternation(250_000);
  assert.ok(huge.length > 2_000_000);
  for (const matches of [[{ name: 'm', pathRegex: huge }], [{ name: 'm', headers: { 'x-a': huge } }], [{ name: 'm', headers: [{ 'x-a': huge }] }]]) {
    const v = validateYaml(stringify(group(matches)));
    const errors = v.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length > 0, JSON.stringify(matches).slice(0, 80));
    for (const d of v.diagnostics) assert.ok(d.message.length < 600, `message of ${d.message.length} characters`);
    const answer = admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', namespace: 'shop', object: group(matches) } } as Parameters<typeof admit>[0]).response!;
    assert.equal(answer.allowed, false);
    assert.ok(JSON.stringify(answer).length < 2000, `the answer holds ${JSON.stringify(answer).length} characters`);
  }
});

test(`at most ${MAX_REGEX_LENGTH} characters a regex, ${MAX_REGEX_TEXT_PER_OBJECT} an object: many regexes under the first bound are refused by the second`, () => {
  const justUnder = '/a' + 'b'.repeat(MAX_REGEX_LENGTH - 2);
  assert.deepEqual(validateYaml(stringify(group([{ name: 'm', pathRegex: justUnder }]))).diagnostics.filter((d) => d.severity === 'error'), []);
  const many = Array.from({ length: 20 }, (_, i) => ({ name: `m${i}`, pathRegex: justUnder }));
  const v = validateYaml(stringify(group(many)));
  assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['SMI_REGEX_TOO_LARGE']);
});

test('an invalid regex far into a long pattern is shown as a window around the offending offset', () => {
  const pattern = `/${'a'.repeat(3000)}(?=x)`;
  const d = validateYaml(stringify(group([{ name: 'm', pathRegex: pattern }]))).diagnostics.find((x) => x.code === 'SMI_REGEX_INVALID');
  assert.ok(d, 'reported');
  assert.ok(d.message.length < 500, d.message);
  assert.match(d.message, /\(\?=x\)/);
});

test('the regex caches are bounded by the characters they hold', () => {
  const cache = new PatternCache<number>(100_000);
  for (let i = 0; i < 10_000; i++) cache.set(`${i}:${'x'.repeat(1000)}`, i);
  assert.ok(cache.size <= 100_000, String(cache.size));
  cache.set('y'.repeat(50_000), 1);
  assert.equal(cache.get('y'.repeat(50_000)), undefined, 'one entry never takes a large share');
});

test('the CRDs carry the bounds, so the API server refuses such objects without the webhook too', () => {
  const text = JSON.stringify(allCrds());
  assert.match(text, new RegExp(`"maxLength":${MAX_REGEX_LENGTH}`));
});

test('compile cost is bounded before compiling: nested repetitions are refused by their estimated program size', async () => {
  const { lexRe2, re2ProgramSize } = await import('../../src/api/re2-syntax.js');
  const size = (p: string) => { const l = lexRe2(p); assert.ok(l.ok, p); return re2ProgramSize(l.tokens); };
  assert.ok(size('/api/v[0-9]+/.*') < 30);
  assert.ok(size('(?:a{1000}){1}'.repeat(250)) > 200_000, 'repetitions count for what they repeat');
  assert.ok(size('(?:(?:a{10}){10}){10}') >= 1000, 'nested repetitions multiply');
  const costly = '(?:a{1000}){1}'.repeat(20);
  const v = validateYaml(stringify(group([{ name: 'm', pathRegex: costly }, { name: 'h', headers: { 'x-a': costly } }])));
  assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['SMI_REGEX_TOO_COMPLEX', 'SMI_REGEX_TOO_COMPLEX']);
  // Each under the bound, too many together.
  const many = Array.from({ length: 15 }, (_, i) => ({ name: `m${i}`, pathRegex: '(?:a{1000}){9}' }));
  assert.deepEqual(validateYaml(stringify(group(many))).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['SMI_REGEX_TOO_LARGE']);
});
