/**
 * One meaning of -n, as kubectl's: the namespace of objects that name none, in every command that reads
 * files. The namespaces smi governs are --scope. A kustomize base without namespaces read without -n
 * lands in "default" with a warning per object, never silently; the old repeated -n is refused with
 * the --scope it meant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const PROTO = resolve(import.meta.dirname, '../fixtures/proto');

/** The bookstore as a kustomize base: every metadata.namespace removed (the example's one namespace is bookstore). */
function base(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smi-base-'));
  const docs = readdirSync(BOOKSTORE).sort().flatMap((f) => parseAllDocuments(readFileSync(join(BOOKSTORE, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown> | null))
    .filter((o): o is Record<string, unknown> => o !== null && o.kind !== 'Namespace')
    .map((o) => {
      const { namespace: _n, ...metadata } = o.metadata as Record<string, unknown>;
      // References across namespaces name it: a base names the namespace it is meant for, or none.
      return JSON.parse(JSON.stringify({ ...o, metadata }).replaceAll('"namespace":"bookstore"', '"namespace":"shop"')) as Record<string, unknown>;
    });
  writeFileSync(join(dir, 'base.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  return dir;
}

test('-n places objects that name no namespace, in check as in kubectl apply; without it they are "default", with a warning each', async () => {
  const dir = base();
  const placed = await runCli(['check', '-f', dir, '-n', 'shop', '--from', 'shop/bookbuyer', '--to', 'shop/bookstore', '--path', '/books-bought', '--header', 'user-agent=go-http-client/1.1']);
  assert.equal(placed.code, 0, placed.stdout + placed.stderr);
  assert.match(placed.stdout, /ALLOW/);
  assert.doesNotMatch(placed.stderr, /SMI_NAMESPACE_DEFAULTED/);
  // Without -n the base lands in "default", said per object; its grants to shop then cannot stand, and say why.
  const defaulted = await runCli(['check', '-f', dir, '--from', 'shop/bookbuyer', '--to', 'shop/bookstore', '--path', '/books-bought', '--header', 'user-agent=go-http-client/1.1']);
  assert.equal(defaulted.code, 2, defaulted.stdout);
  assert.match(defaulted.stderr, /warning SMI_NAMESPACE_DEFAULTED: HTTPRouteGroup bookstore-routes names no namespace and is read as "default"; give -n NAMESPACE/);
  assert.match(defaulted.stderr, /create this TrafficTarget in "shop"/);
  assert.equal((await runCli(['validate', dir])).code, 1);
  // Alone, a defaulted object is a warning, not an error.
  const lone = mkdtempSync(join(tmpdir(), 'smi-base-'));
  writeFileSync(join(lone, 'sa.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata: {name: any}\nspec: {}\n');
  const validate = await runCli(['validate', lone]);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stderr.match(/SMI_NAMESPACE_DEFAULTED/g)?.length, 2, validate.stderr);
  assert.equal((await runCli(['validate', lone, '-n', 'shop'])).stderr, '');
  assert.doesNotMatch((await runCli(['validate', dir, '-n', 'shop'])).stderr, /SMI_NAMESPACE_DEFAULTED/);
});

test('translate -n writes the mesh resources into that namespace; --scope governs, as -n did before', async () => {
  const dir = base();
  const t = await runCli(['translate', '-f', dir, '-n', 'shop', '--mesh', 'istio', '-o', 'json']);
  assert.equal(t.code, 0, t.stderr);
  const items = (JSON.parse(t.stdout) as { items: { metadata: { namespace: string } }[] }).items;
  assert.ok(items.length > 0);
  assert.deepEqual([...new Set(items.map((i) => i.metadata.namespace))], ['shop']);
  const scoped = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--scope', 'elsewhere', '-o', 'json']);
  assert.equal(scoped.code, 0, scoped.stderr);
  assert.equal((JSON.parse(scoped.stdout) as { items: unknown[] }).items.length, 0, 'nothing governed outside the scope');
  assert.match(scoped.stderr, /SMI_OUT_OF_SCOPE/);
});

test('-n twice is the old spelling of --scope: refused (exit 2) with the --scope flags it meant; the controller says the same', async () => {
  const twice = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '-n', 'a', '-n', 'b']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--scope a --scope b/);
  const controller = await runCli(['controller', '--mesh', 'istio', '-n', 'bookstore']);
  assert.equal(controller.code, 2);
  assert.match(controller.stderr, /--scope bookstore/);
});

test('install and route-groups take -n like kubectl', async () => {
  const install = await runCli(['install', '--mesh', 'istio', '-n', 'mesh-policy']);
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /namespace: mesh-policy/);
  const routes = await runCli(['route-groups', 'from-proto', `${PROTO}/library/library.proto`, '-I', `${PROTO}/include`, '-I', PROTO, '--name', 'g', '-n', 'shop']);
  assert.equal(routes.code, 0, routes.stderr);
  assert.match(routes.stdout, /namespace: shop/);
});

test('the dashboard on a cluster refuses -n (it would be ignored there) and points at --scope', async () => {
  const r = await runCli(['dashboard', '--kubeconfig', '/nonexistent', '-n', 'shop']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /use --scope/);
});

test('diff --live without -f refuses -n for the same reason', async () => {
  const r = await runCli(['diff', '--live', '--mesh', 'istio', '--kubeconfig', '/nonexistent', '-n', 'shop']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /use --scope/);
});
