/**
 * Installed for every mesh on a real kube-apiserver: the mesh's CRDs, then `smi install --mesh M |
 * kubectl apply --server-side -f -`; the controller runs with that installation's ServiceAccount token,
 * so a permission the install forgot fails here, and converges to what `smi translate` writes —
 * once: the defaults the server adds to the written objects are not taken for changes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { startCluster, kubeconfigText, type Cluster } from '../cluster/cluster.js';
import { installMeshCrds, kubectlFor, type Kubectl } from './support.js';
import { runCli } from '../support/cli.js';
import { modelOf } from '../support/policy.js';
import { runController } from '../../src/controller/runtime.js';
import { ownedKinds } from '../../src/controller/controller.js';
import { holds } from '../../src/controller/plan.js';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const bookstore = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');

const CASES: { mesh: string; crds: string[]; flags: string[]; options: TranslateOptions }[] = [
  // Linkerd with the cluster's default policy unknown: smi annotates the namespace deny itself.
  { mesh: 'linkerd', crds: ['linkerd', 'gateway-api'], flags: ['--linkerd-namespace-deny'], options: { ...DEFAULT_OPTIONS, linkerdNamespaceDeny: true } },
  { mesh: 'gateway-api', crds: ['gateway-api', 'istio'], flags: ['--authz', 'istio'], options: { ...DEFAULT_OPTIONS, authz: 'istio' } },
  // Istio ambient: smi writes the waypoint and labels the namespace to use it.
  { mesh: 'istio', crds: ['istio', 'gateway-api'], flags: ['--istio-data-plane', 'ambient'], options: { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' } },
  // Consul with the NetworkPolicy fence: the install grants NetworkPolicies, the controller writes them.
  { mesh: 'consul', crds: ['consul'], flags: ['--fence', 'networkpolicy'], options: { ...DEFAULT_OPTIONS, fence: 'networkpolicy' } },
  { mesh: 'appmesh', crds: ['appmesh'], flags: [], options: DEFAULT_OPTIONS },
  { mesh: 'cilium', crds: ['cilium'], flags: [], options: DEFAULT_OPTIONS },
];

describe('installed for every mesh, on a real kube-apiserver', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  before(async () => {
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-meshes-')) });
    kubectl = kubectlFor(cluster.kubeconfig);
    for (const ns of ['bookstore', 'monitoring']) assert.equal((await kubectl('create', 'namespace', ns)).code, 0);
  });
  after(async () => cluster?.stop());

  for (const c of CASES) {
    test(`${c.mesh}: installed with its RBAC, the controller converges to smi translate`, async () => {
      for (const folder of c.crds) await installMeshCrds(kubectl, folder);
      if (c.mesh === 'linkerd') {
        // Linkerd reads TCPRoute at v1alpha2, which the Gateway API CRDs it bundles still serve.
        assert.equal((await kubectl('patch', 'crd', 'tcproutes.gateway.networking.k8s.io', '--type=json', '-p', '[{"op":"replace","path":"/spec/versions/1/served","value":true}]')).code, 0);
      }
      const install = await runCli(['install', '--mesh', c.mesh, '--webhook', 'none', ...c.flags]);
      assert.equal(install.code, 0, install.stderr);
      const applied = await kubectl.input(install.stdout, 'apply', '--server-side', '--force-conflicts', '-f', '-');
      assert.equal(applied.code, 0, applied.stderr);
      const objects = await kubectl.input(bookstore, 'apply', '-f', '-');
      assert.equal(objects.code, 0, objects.stderr);
      const token = await kubectl('create', 'token', 'smi-controller', '-n', 'smi-system');
      assert.equal(token.code, 0, token.stderr);
      const kubeconfig = join(cluster.dir, `${c.mesh}.kubeconfig`);
      writeFileSync(kubeconfig, kubeconfigText(cluster.url, cluster.pki.ca, { token: token.stdout.trim() }));

      const target = findTarget(c.mesh)!;
      const translated = target.translate(modelOf(bookstore), c.options).resources;
      // Namespaces are annotated, not owned: checked apart below.
      const expected = translated.filter((r) => r.kind !== 'Namespace');
      const annotatedNamespaces = translated.filter((r) => r.kind === 'Namespace');
      // The one field smi holds on the namespace (Linkerd's annotation, Istio ambient's label), and the user's own beside it.
      const held = annotatedNamespaces[0] && (() => {
        const field = annotatedNamespaces[0]!.metadata.labels ? 'labels' as const : 'annotations' as const;
        const [key, value] = Object.entries(annotatedNamespaces[0]!.metadata[field]!)[0]!;
        return { field, key, value };
      })();
      if (held) assert.equal((await kubectl(held.field === 'labels' ? 'label' : 'annotate', 'namespace', 'bookstore', 'team=books')).code, 0);
      const running = await runController({ target, translate: c.options, mode: 'strict', kubeconfig, log: pino({ level: process.env.SMI_E2E_LOG ? 'debug' : 'silent' }, process.env.SMI_E2E_LOG ? pino.destination(process.env.SMI_E2E_LOG) : undefined), batchDelayMs: 10 });
      try {
        const kinds = ownedKinds(target, c.options);
        const end = Date.now() + 30_000;
        let live: { kind: string; metadata: { namespace?: string; name: string }; spec?: unknown }[] = [];
        while (Date.now() < end) {
          live = (await Promise.all(kinds.map(async (k) => {
            const r = await kubectl('get', `${k.resource}.${k.apiVersion.split('/')[0]}`, '-A', '-l', `smi-spec.io/mesh=${c.mesh}`, '-o', 'json');
            return r.code === 0 ? (JSON.parse(r.stdout) as { items: typeof live }).items : [];
          }))).flat();
          if (live.length === expected.length) break;
          await new Promise((r) => setTimeout(r, 300));
        }
        assert.equal(live.length, expected.length, `${c.mesh}: ${live.length} live resources, ${expected.length} expected`);
        for (const r of expected) {
          const l = live.find((x) => x.kind === r.kind && x.metadata.namespace === r.metadata.namespace && x.metadata.name === r.metadata.name);
          // The server adds its defaults (Gateway API's backendRef kind and weight, …): every field smi sets holds.
          assert.ok(l && holds(r.spec, l.spec), `${c.mesh} ${r.kind} ${r.metadata.namespace}/${r.metadata.name} differs from smi translate:\n${JSON.stringify(l?.spec)}\n${JSON.stringify(r.spec)}`);
        }
        // The defaults the server adds do not read as changes: once settled, nothing more is written (no write loop).
        await new Promise((r) => setTimeout(r, 500));
        await running.controller.idle();
        const settled = running.controller.writer.writes.applies;
        assert.equal(settled, expected.length + annotatedNamespaces.length, 'each resource applied once');
        for (const n of annotatedNamespaces) {
          const live = JSON.parse((await kubectl('get', 'namespace', n.metadata.name, '-o', 'json', '--show-managed-fields')).stdout) as { metadata: { annotations?: Record<string, string>; labels?: Record<string, string>; managedFields?: { manager: string; fieldsV1: unknown }[] } };
          assert.equal(live.metadata[held!.field]?.[held!.key], held!.value);
          // smi owns that field and nothing else of the Namespace.
          const mine = live.metadata.managedFields?.filter((f) => f.manager === 'smi-controller') ?? [];
          assert.deepEqual(mine.map((f) => f.fieldsV1), [{ 'f:metadata': { [`f:${held!.field}`]: { [`f:${held!.key}`]: {} } } }]);
        }
        await new Promise((r) => setTimeout(r, 1500));
        await running.controller.idle();
        assert.equal(running.controller.writer.writes.applies, settled, 'the controller keeps re-applying');
        if (annotatedNamespaces.length > 0) {
          // The namespace no longer needs it (its SMI objects go): the controller gives the field back; back in, it writes it again.
          const fields = async () => (JSON.parse((await kubectl('get', 'namespace', 'bookstore', '-o', 'json')).stdout) as { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } }).metadata[held!.field] ?? {};
          const waitFor = async (want: string | undefined) => {
            const end2 = Date.now() + 20_000;
            while (Date.now() < end2 && (await fields())[held!.key] !== want) await new Promise((r) => setTimeout(r, 300));
            assert.equal((await fields())[held!.key], want);
          };
          assert.equal((await kubectl('delete', 'traffictargets.access.smi-spec.io,httproutegroups.specs.smi-spec.io,tcproutes.specs.smi-spec.io,trafficsplits.split.smi-spec.io', '-n', 'bookstore', '--all')).code, 0);
          await waitFor(undefined);
          assert.equal((await fields()).team, 'books', "the user's own annotation or label stays");
          assert.equal((await kubectl.input(bookstore, 'apply', '-f', '-')).code, 0);
          await waitFor(held!.value);
        }
      } finally {
        await running.stop();
      }
      if (annotatedNamespaces.length > 0) {
        // Uninstalling: smi gives back what it owned, and only that.
        const release = await runCli(['release-namespaces', '--kubeconfig', cluster.kubeconfig]);
        assert.equal(release.code, 0, release.stderr);
        assert.ok(release.stdout.includes(`gave back ${held!.field === 'labels' ? 'label ' : ''}${held!.key} on namespace bookstore`), release.stdout);
        const after = JSON.parse((await kubectl('get', 'namespace', 'bookstore', '-o', 'json')).stdout) as { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } };
        assert.equal(after.metadata[held!.field]?.[held!.key], undefined);
        assert.equal(after.metadata[held!.field]?.team, 'books', "the user's own annotation or label stays");
        const again = await runCli(['release-namespaces', '--kubeconfig', cluster.kubeconfig, '--dry-run']);
        assert.deepEqual([again.code, again.stdout], [0, 'no namespace carries annotations or labels owned by smi\n']);
      }
    });
  }
});
