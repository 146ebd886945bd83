import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../src/api/parse.js';

test('positions of fields inside documents after the first', () => {
  const text = 'apiVersion: v1\nkind: A\n---\n# comment\napiVersion: v1\nkind: B\nspec:\n  ports:\n    - port: 80\n    - port: 81\n';
  const { documents, diagnostics } = parseText(text, 'f.yaml');
  assert.deepEqual(diagnostics, []);
  assert.equal(documents.length, 2);
  const second = documents[1]!;
  assert.deepEqual(second.origin.locate(['spec', 'ports', 1, 'port']), { file: 'f.yaml', line: 10, column: 13 });
  assert.deepEqual(second.origin.locate(['spec', 'ports', 1, 'port'], true), { file: 'f.yaml', line: 10, column: 7 });
  // A field that does not exist points at its nearest ancestor.
  assert.deepEqual(second.origin.locate(['spec', 'missing']), { file: 'f.yaml', line: 8, column: 3 });
});

test('JSON input has positions too', () => {
  const { documents } = parseText('{\n  "apiVersion": "v1",\n  "kind": "A",\n  "spec": { "x": 1 }\n}\n', 'f.json');
  assert.deepEqual(documents[0]!.origin.locate(['spec', 'x']), { file: 'f.json', line: 4, column: 18 });
});

test('syntax errors carry the line, and duplicate keys are errors', () => {
  const { diagnostics } = parseText('a: 1\nb: [\n', 'f.yaml');
  assert.equal(diagnostics[0]!.code, 'SMI_YAML_SYNTAX');
  assert.ok(diagnostics[0]!.line! >= 2);
  const dup = parseText('a: 1\na: 2\n', 'f.yaml');
  assert.equal(dup.diagnostics[0]!.code, 'SMI_YAML_SYNTAX');
  assert.match(dup.diagnostics[0]!.message, /unique/i);
});

test('empty documents between separators are skipped', () => {
  const { documents, diagnostics } = parseText('---\n---\napiVersion: v1\nkind: A\n---\n', 'f.yaml');
  assert.deepEqual(diagnostics, []);
  assert.equal(documents.length, 1);
});
