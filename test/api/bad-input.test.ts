import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseText } from '../../src/api/parse.js';
import { validateDocuments } from '../../src/api/validate.js';
import { runCli } from '../support/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whatever the text, loading ends in documents and diagnostics, never an exception. */
function load(text: string) {
  const parsed = parseText(text, 'fuzz.yaml');
  const validated = validateDocuments(parsed.documents);
  return [...parsed.diagnostics, ...validated.diagnostics];
}

const smiFragments = [
  'apiVersion: split.smi-spec.io/v1alpha4\n', 'kind: TrafficSplit\n', 'apiVersion: access.smi-spec.io/v1alpha1\n', 'kind: TrafficTarget\n',
  'spec:\n', '  service: web\n', '  backends:\n', '    - service: a\n', '      weight: 5\n', '      weight: "x"\n', '---\n', 'metadata: { name: a }\n',
  'specs: [{kind: HTTPRouteGroup, name: r}]\n', 'destination: {kind: ServiceAccount, name: a, port: 99999}\n', '- [\n', '{ "a": [1, 2\n', '&a x\n', '*a\n',
  'matches:\n', '  - name: m\n', '    pathRegex: "(?=x)"\n', '    headers: [1]\n', '\t\ttabs\n', 'key: value: other\n', '"unterminated\n', 'items: 3\nkind: List\n',
];

describe('bad input never crashes', () => {
  test('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => { load(text); }), { numRuns: 400 });
  });

  test('random bytes decoded as text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => { load(Buffer.from(bytes).toString('latin1')); }), { numRuns: 300 });
  });

  test('random splices of SMI-like YAML: errors always come with a position', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...smiFragments), { maxLength: 14 }), (parts) => {
        for (const d of load(parts.join(''))) {
          assert.ok(d.code.startsWith('SMI_'), d.code);
          assert.ok(d.message.length > 0);
          if (d.severity === 'error') assert.ok(d.file === 'fuzz.yaml');
        }
      }),
      { numRuns: 500 },
    );
  });

  test('random JSON values as documents of an SMI kind', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const doc = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'x' }, spec: value };
        const diagnostics = load(JSON.stringify(doc));
        const ok = typeof value === 'object' && value !== null && !Array.isArray(value);
        if (!ok) assert.ok(diagnostics.some((d) => d.severity === 'error'), 'a non-map spec is an error');
      }),
      { numRuns: 300 },
    );
  });

  test('deep nesting is refused with a diagnostic', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const diagnostics = load(`apiVersion: v1\nkind: ConfigMap\ndata: ${deep}\n`);
    assert.ok(diagnostics.some((d) => d.severity === 'error'), JSON.stringify(diagnostics.slice(0, 2)));
  });

  test('alias bombs are refused', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) text += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    const diagnostics = load(text);
    assert.ok(diagnostics.some((d) => d.code === 'SMI_YAML_SYNTAX'));
  });

  test('a 10 MB document loads and is validated', () => {
    const backends = Array.from({ length: 260_000 }, (_, i) => `    - { service: backend-${i}, weight: ${i % 7} }`).join('\n');
    const text = `apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata: { name: big }\nspec:\n  service: root\n  backends:\n${backends}\n`;
    assert.ok(text.length > 10_000_000);
    const diagnostics = load(text);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  });

  test('the CLI exits non-zero with a diagnostic, not a stack trace, on garbage files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-bad-'));
    const cases: [string, Buffer | string][] = [
      ['binary.yaml', Buffer.from([0, 159, 146, 150, 255, 1, 2])],
      ['latin1.yaml', Buffer.from([0x6b, 0x3a, 0x20, 0xe9, 0x0a])],
      ['broken.yaml', 'apiVersion: [\n'],
      ['types.yaml', 'apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata: { name: x }\nspec: 5\n'],
    ];
    for (const [name, content] of cases) {
      writeFileSync(join(dir, name), content);
      const run = await runCli(['validate', join(dir, name)]);
      assert.equal(run.code, 1, `${name}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, new RegExp(`${name}:\\d+:\\d+: error SMI_`));
      assert.doesNotMatch(run.stdout + run.stderr, /at .*\.(ts|js):\d+/);
    }
  });
});
