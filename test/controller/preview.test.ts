/**
 * Preview before writing: `smi controller --dry-run` computes and reports what it would create, update
 * and delete (logs, a metric, GET /plan) and writes nothing, not even statuses; `smi diff --live`
 * prints the same plan once, from the cluster's SMI objects or from files, and exits 1 while the cluster
 * differs from what smi would write.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import type { KubeApiServer } from '../support/kube-api/server.js';
import type { TestClient } from '../support/kube-api/client.js';
import { runCli } from '../support/cli.js';
import { BOOKSTORE, istioBookstore } from '../support/istio-bookstore.js';
import { runController } from '../../src/controller/runtime.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';


describe('preview: controller --dry-run and diff --live', () => {
  let server: KubeApiServer;
  let client: TestClient;
  let kubeconfig: string;
  const policies = () => client.list('security.istio.io/v1', 'AuthorizationPolicy');
  const diff = (...extra: string[]) => runCli(['diff', '--live', '--mesh', 'istio', '--kubeconfig', kubeconfig, '-o', 'json', ...extra]);
  type Report = { changes: { verb: string; kind: string; namespace: string; name: string; fields: string[] }[]; scope: string[] };

  before(async () => {
    ({ server, client, kubeconfig } = await istioBookstore());
  });
  after(async () => server?.stop());

  test('diff --live on a cluster smi has not touched: every resource to create, exit 1', async () => {
    const run = await diff();
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    const expected = istio.translate((await import('../support/policy.js')).modelOf(readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n')), DEFAULT_OPTIONS).resources;
    assert.equal(report.changes.length, expected.length);
    assert.ok(report.changes.every((c) => c.verb === 'create'));
    assert.deepEqual(report.scope, ['bookstore']);
  });

  test('controller --dry-run: reports the same plan (GET /plan, metric), writes nothing, not even statuses', async () => {
    const running = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5, dryRun: true, healthAddr: '127.0.0.1:0' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      await running.controller.idle();
      const plan = await (await fetch(`http://127.0.0.1:${running.ports.health}/plan`)).json() as { dryRun: boolean; changes: Report['changes'] };
      assert.equal(plan.dryRun, true);
      const fromDiff = (JSON.parse((await diff()).stdout) as Report).changes;
      assert.deepEqual(plan.changes.map((c) => `${c.verb} ${c.kind} ${c.namespace}/${c.name}`).sort(), fromDiff.map((c) => `${c.verb} ${c.kind} ${c.namespace}/${c.name}`).sort());
      assert.match(await running.metrics.registry.getSingleMetricAsString('smi_controller_dry_run_pending_changes'), new RegExp(`verb="create"} ${fromDiff.length}`));
      assert.equal(running.controller.writer.writes.applies + running.controller.writer.writes.deletes + running.controller.writer.writes.statuses + running.controller.writer.writes.events, 0);
      assert.deepEqual(await policies(), []);
      const tt = await client.get({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'bookstore-to-bookwarehouse', namespace: 'bookstore' } });
      assert.equal(tt?.status, undefined, 'no status written in a dry run');
    } finally {
      await running.stop();
    }
  });

  test('after the controller converged: no change (exit 0); a changed policy shows as an update, a removed one as a delete', async () => {
    const running = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5 });
    await new Promise((r) => setTimeout(r, 100));
    await running.controller.idle();
    await running.stop();
    const clean = await diff();
    assert.equal(clean.code, 0, clean.stdout);
    assert.deepEqual((JSON.parse(clean.stdout) as Report).changes, []);

    // Preview files against the live cluster: the bookstore without its warehouse grant.
    const dir = mkdtempSync(join(tmpdir(), 'smi-preview-files-'));
    for (const f of readdirSync(BOOKSTORE)) {
      let text = readFileSync(join(BOOKSTORE, f), 'utf8');
      if (f === 'access.yaml') text = text.split(/^---$/m).filter((d) => !d.includes('name: bookstore-to-bookwarehouse')).join('---');
      writeFileSync(join(dir, f), text);
    }
    const preview = await diff('-f', dir);
    assert.equal(preview.code, 1);
    const changes = (JSON.parse(preview.stdout) as Report).changes;
    assert.ok(changes.some((c) => c.verb === 'delete' && c.name === 'smi-bookwarehouse'), JSON.stringify(changes));
    assert.equal((await policies()).length > 0, true, 'a preview writes nothing');

    const text = await runCli(['diff', '--live', '--mesh', 'istio', '--kubeconfig', kubeconfig, '-f', dir]);
    assert.match(text.stdout, /^- delete AuthorizationPolicy bookstore\/smi-bookwarehouse$/m);
    assert.match(text.stderr, /^scope: bookstore/m);
  });

  test("diff --live -f shows what the translation cannot carry beside the preview (a caller losing its access)", async () => {
    // The bookstore's routes rewritten as regexes, which Istio's authorization cannot take.
    const dir = mkdtempSync(join(tmpdir(), 'smi-preview-regex-'));
    for (const f of readdirSync(BOOKSTORE)) writeFileSync(join(dir, f), readFileSync(join(BOOKSTORE, f), 'utf8').replace(/pathRegex: \/books-bought/g, 'pathRegex: "/books-bought/[0-9]+"'));
    const json = JSON.parse((await diff('-f', dir)).stdout) as { problems: { object: string; severity: string; code: string }[] };
    assert.ok(json.problems.some((p) => p.severity === 'error' && p.code === 'ISTIO_PATH_INEXPRESSIBLE' && p.object.startsWith('TrafficTarget/bookstore/')), JSON.stringify(json.problems));
    const text = await runCli(['diff', '--live', '--mesh', 'istio', '--kubeconfig', kubeconfig, '-f', dir]);
    assert.match(text.stderr, /^error ISTIO_PATH_INEXPRESSIBLE \(TrafficTarget\/bookstore\/[^)]+\): /m);
  });

  test('usage: --live takes one mesh, not smi', async () => {
    assert.equal((await runCli(['diff', '--live', '--mesh', 'istio', '--mesh', 'linkerd', '--kubeconfig', kubeconfig])).code, 2);
    assert.equal((await runCli(['diff', '--live', '--mesh', 'smi', '--kubeconfig', kubeconfig])).code, 2);
  });
});
