/** A typo never gets a confident answer: names the input does not hold are usage errors with the nearest names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { runCli } from '../support/cli.js';
import { nearest } from '../../src/api/names.js';

const OSM = resolve(import.meta.dirname, '../fixtures/field/osm-bookstore.yaml');
const CANARY = resolve(import.meta.dirname, '../../examples/canary');

test('nearest: the closest names within a few edits, best first', () => {
  assert.deepEqual(nearest('bookstor/bookstore', ['bookstore/bookstore', 'bookbuyer/bookbuyer', 'bookwarehouse/mysql']), ['bookstore/bookstore']);
  assert.deepEqual(nearest('zzz/qqq', ['bookstore/bookstore']), []);
});

test('check --to a namespace the input does not hold: exit 2, did you mean', async () => {
  const r = await runCli(['check', '-f', OSM, '--from', 'bookbuyer/bookbuyer', '--to', 'bookstor/bookstore']);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /--to bookstor\/bookstore: namespace bookstor is not in the input; did you mean bookstore\/bookstore\?/);
  assert.equal(r.stdout, '', 'no answer about nothing');
});

test('check --from a ServiceAccount the namespace does not hold: exit 2, did you mean', async () => {
  const r = await runCli(['check', '-f', OSM, '--from', 'bookbuyer/bookbuyr', '--to', 'bookstore/bookstore']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no ServiceAccount bookbuyer\/bookbuyr is in the input; did you mean bookbuyer\/bookbuyer\?/);
});

test('check --to a Service names the ServiceAccounts its pods run as', async () => {
  const r = await runCli(['check', '-f', OSM, '--from', 'bookbuyer/bookbuyer', '--to', 'bookstore/bookstore-v1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--to bookstore\/bookstore-v1: that is a Service, and --to names a ServiceAccount .*: its pods run as bookstore\/bookstore/);
});

test('explain --to a Service says what it is', async () => {
  const r = await runCli(['explain', '-f', OSM, '--to', 'bookstore/bookstore-v2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /that is a Service.*its pods run as bookstore\/bookstore/);
});

test('route --service a name the input does not hold: exit 2, did you mean; a ServiceAccount names its Services', async () => {
  const typo = await runCli(['route', '-f', CANARY, '--service', 'web/websit', '--port', '80']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /no Service web\/websit is in the input; did you mean web\/website/);
  const sa = await runCli(['route', '-f', CANARY, '--service', 'web/frontend', '--port', '80']);
  assert.equal(sa.code, 2);
  assert.match(sa.stderr, /web\/frontend: that is a ServiceAccount, and --service names a Service/);
});

test('names the input holds still answer', async () => {
  const r = await runCli(['check', '-f', OSM, '--from', 'bookthief/bookthief', '--to', 'bookstore/bookstore', '--path', '/books-bought']);
  assert.equal(r.code, 1, 'DENY is exit 1');
  assert.match(r.stdout, /^DENY/);
});

test('diff --to a name the input does not hold: exit 2 rather than "no differences"', async () => {
  const r = await runCli(['diff', '-f', OSM, '--mesh', 'smi', '--mesh', 'istio', '--to', 'bookstore/bookstor']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no ServiceAccount bookstore\/bookstor is in the input; did you mean bookstore\/bookstore/);
});
