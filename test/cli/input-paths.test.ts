/**
 * One grammar for input: every command reading files takes -f (repeatable), as kubectl does; validate
 * and convert also take the paths as arguments, as they always did. And the list form's warning is
 * not repeated to the one converting it away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const dir = mkdtempSync(join(tmpdir(), 'smi-input-paths-'));
const listForm = join(dir, 'list-form.yaml');
writeFileSync(listForm, `apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g, namespace: shop}
spec:
  matches:
  - name: m
    headers:
    - user-agent: ".*curl.*"
`);

test('validate takes -f like every other command, the same as an argument; both together read both', async () => {
  const byArgument = await runCli(['validate', BOOKSTORE, '-o', 'json']);
  const byFlag = await runCli(['validate', '-f', BOOKSTORE, '-o', 'json']);
  assert.equal(byFlag.code, 0, byFlag.stderr);
  assert.equal(byFlag.stdout, byArgument.stdout);
  const both = await runCli(['validate', BOOKSTORE, '-f', listForm]);
  assert.match(both.stdout, /in 4 file\(s\)/, both.stdout);
});

test('validate and convert without input: a usage error (exit 2) saying both ways to give it', async () => {
  for (const args of [['validate'], ['convert', '--to', 'split.smi-spec.io/v1alpha4']]) {
    const run = await runCli(args);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /needs input: smi (validate|convert) FILE\|FOLDER\|- … or -f FILE\|FOLDER\|-/);
    assert.equal(run.stdout, '');
  }
});

test('convert --normalize-headers does not warn about the list form it removes; validate still does', async () => {
  const convert = await runCli(['convert', '--normalize-headers', '-f', listForm]);
  assert.equal(convert.code, 0, convert.stderr);
  assert.doesNotMatch(convert.stderr, /SMI_HEADERS_LIST_FORM/);
  assert.deepEqual((parseAllDocuments(convert.stdout)[0]!.toJS() as { spec: { matches: { headers: unknown }[] } }).spec.matches[0]!.headers, { 'user-agent': '.*curl.*' });
  const only = await runCli(['convert', '--to', 'specs.smi-spec.io/v1alpha3', listForm]);
  assert.match(only.stderr, /warning SMI_HEADERS_LIST_FORM/, 'converting the version alone keeps the list form, and says so');
  assert.match((await runCli(['validate', listForm])).stderr, /warning SMI_HEADERS_LIST_FORM/);
});
