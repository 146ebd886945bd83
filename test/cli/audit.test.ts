/**
 * --enforcement audit: the mesh reports what SMI would deny without denying it, where the mesh can
 * (Istio's dry-run policies, Linkerd's audit access policy), and is refused with a clear error where
 * it cannot.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
type Resource = { kind: string; metadata: { annotations?: Record<string, string> }; spec?: { accessPolicy?: string } };
const resources = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Resource);

describe('--enforcement audit', () => {
  test('istio: every AuthorizationPolicy is a dry run, and the translation says nothing is enforced', async () => {
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--enforcement', 'audit']);
    assert.equal(run.code, 0, run.stderr);
    const policies = resources(run.stdout).filter((r) => r.kind === 'AuthorizationPolicy');
    assert.ok(policies.length >= 3);
    for (const p of policies) assert.equal(p.metadata.annotations?.['istio.io/dry-run'], 'true');
    assert.match(run.stderr, /warning ISTIO_AUDIT_NOT_ENFORCED/);
    const enforced = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio']);
    assert.doesNotMatch(enforced.stdout, /istio\.io\/dry-run/);
  });

  test('istio: check answers what Istio would do — the thief passes, reported as not enforced', async () => {
    const run = await runCli(['check', '-f', BOOKSTORE, '--from', 'bookstore/bookthief', '--to', 'bookstore/bookstore', '--port', '14001', '--path', '/books-bought', '--mesh', 'istio', '--enforcement', 'audit']);
    assert.match(run.stdout, /dry run: the policies would deny/);
  });

  test('linkerd: Servers use the audit access policy', async () => {
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'linkerd', '--linkerd-default-policy', 'audit', '--enforcement', 'audit']);
    assert.equal(run.code, 0, run.stderr);
    const servers = resources(run.stdout).filter((r) => r.kind === 'Server');
    assert.ok(servers.length > 0 && servers.every((s) => s.spec?.accessPolicy === 'audit'));
    assert.match(run.stderr, /warning LINKERD_AUDIT_NOT_ENFORCED/);
  });

  for (const mesh of ['consul', 'appmesh']) {
    test(`${mesh}: refused with a clear error (exit 2)`, async () => {
      const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', mesh, '--enforcement', 'audit']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`${mesh} cannot report denials without enforcing them`));
    });
  }

  test('gateway-api: audits through --authz, refused without it', async () => {
    assert.equal((await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'gateway-api', '--enforcement', 'audit'])).code, 2);
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'gateway-api', '--authz', 'istio', '--enforcement', 'audit']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /istio\.io\/dry-run: "true"/);
  });
});
