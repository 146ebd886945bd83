/**
 * The controller drives every mesh, not only Istio: for each target, the bookstore applied to the API
 * test server (with that mesh's reference CRDs registered) converges to resources that fit the CRDs,
 * and deleting the SMI objects cleans them up.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { KubeApiServer } from '../support/kube-api/server.js';
import { yamlAtHub } from '../support/hub.js';
import { eventually, TestClient, type K8sObject } from '../support/kube-api/client.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { runController } from '../../src/controller/runtime.js';
import { ownedKinds } from '../../src/controller/controller.js';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { allCrds } from '../../src/api/crds.js';
import { parseAllDocuments } from 'yaml';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const CASES: { mesh: string; crds: string[]; options: TranslateOptions }[] = [
  { mesh: 'linkerd', crds: ['crds/linkerd', 'crds/gateway-api'], options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' } },
  { mesh: 'gateway-api', crds: ['crds/gateway-api', 'crds/istio'], options: { ...DEFAULT_OPTIONS, authz: 'istio' } },
  { mesh: 'consul', crds: ['crds/consul'], options: { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' } },
  { mesh: 'appmesh', crds: ['crds/appmesh'], options: DEFAULT_OPTIONS },
];

describe('smi controller on every mesh', () => {
  for (const c of CASES) {
    test(`${c.mesh}: converges to resources that fit its CRDs, and cleans up`, async () => {
      const target = findTarget(c.mesh)!;
      const server = await new KubeApiServer().start();
      const client = new TestClient(server);
      let running: Awaited<ReturnType<typeof runController>> | undefined;
      try {
        for (const folder of c.crds) await client.installReferenceCrds(folder);
        if (c.mesh === 'linkerd') {
          // Linkerd reads TCPRoute as v1alpha2, which the Gateway API CRDs it bundles still serve.
          const tcp = (await client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'tcproutes.gateway.networking.k8s.io' } }))!;
          const spec = tcp.spec as { versions: { name: string; served: boolean }[] };
          await client.delete(tcp);
          await client.create({ ...tcp, metadata: { name: tcp.metadata.name }, spec: { ...spec, versions: spec.versions.map((v) => ({ ...v, served: true })) } } as K8sObject);
        }
        for (const crd of allCrds()) await client.create(crd as K8sObject);
        for (const f of readdirSync(BOOKSTORE).sort()) await client.applyYaml(readFileSync(join(BOOKSTORE, f), 'utf8'));
        const kubeconfig = join(mkdtempSync(join(tmpdir(), 'smi-meshes-')), 'kubeconfig');
        writeFileSync(kubeconfig, server.kubeconfig());
        running = await runController({ target, translate: c.options, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5 });
        const expected = target.translate((await import('../support/policy.js')).modelOf(readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n')), c.options).resources.length;
        const owned = async () => (await Promise.all(ownedKinds(target, c.options).map((k) => client.list(k.apiVersion, k.kind)))).flat();
        const live = await eventually(async () => { const l = await owned(); return l.length === expected ? l : undefined; }, 15_000, `${expected} ${c.mesh} resources`);
        const schemas = new CrdSchemas(...c.crds);
        for (const o of live) {
          const { status: _s, ...rest } = o;
          assert.deepEqual(schemas.problems({ ...rest, metadata: { name: o.metadata.name } } as never), [], `${o.kind} ${o.metadata.name}`);
        }
        for (const f of readdirSync(BOOKSTORE).sort()) {
          for (const d of parseAllDocuments(readFileSync(join(BOOKSTORE, f), 'utf8'))) {
            const o = d.toJS() as K8sObject | null;
            if (o && String(o.apiVersion).includes('smi-spec.io')) await client.delete(o);
          }
        }
        // Without SMI objects, strict mode still locks workloads down on meshes that need an explicit deny.
        await eventually(async () => (await owned()).length === target.translate((await import('../support/policy.js')).modelOf(readFileSync(join(BOOKSTORE, 'workloads.yaml'), 'utf8')), c.options).resources.length || undefined, 15_000, 'clean up');
      } finally {
        await running?.stop();
        await server.stop();
      }
    });
  }
});

describe('smi controller on SMI as OSM wrote it', () => {
  test('consul: the OSM bookstore (list-form headers, FQDN split root) converges to exactly what smi translate writes', async () => {
    const OSM = resolve(import.meta.dirname, '../fixtures/field/osm-bookstore.yaml');
    const text = readFileSync(OSM, 'utf8');
    const target = findTarget('consul')!;
    const server = await new KubeApiServer().start();
    const client = new TestClient(server);
    let running: Awaited<ReturnType<typeof runController>> | undefined;
    try {
      await client.installReferenceCrds('crds/consul');
      for (const crd of allCrds()) await client.create(crd as K8sObject);
      for (const ns of ['bookstore', 'bookbuyer', 'bookthief', 'bookwarehouse']) await client.ensureNamespace(ns);
      // Without the conversion webhook only the newest versions are served: stored as the webhook converts them.
      await client.applyYaml(yamlAtHub(text));
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'smi-osm-')), 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfig());
      running = await runController({ target, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5 });
      const expected = target.translate((await import('../support/policy.js')).modelOf(text), DEFAULT_OPTIONS).resources;
      // Consul matches header regexes, so OSM's two list entries become two header conditions of one permission.
      assert.ok(expected.some((r) => JSON.stringify(r.spec).includes('client-app') && JSON.stringify(r.spec).includes('user-agent')), 'the list-form headers reach the translation');
      const owned = async () => (await Promise.all(ownedKinds(target, DEFAULT_OPTIONS).map((k) => client.list(k.apiVersion, k.kind)))).flat();
      const live = await eventually(async () => { const l = await owned(); return l.length === expected.length ? l : undefined; }, 15_000, `${expected.length} consul resources`);
      const key = (o: { kind: string; metadata: { namespace?: string; name: string } }) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
      const liveSpecs = Object.fromEntries(live.map((o) => [key(o), o.spec]));
      for (const r of expected) assert.deepEqual(liveSpecs[key(r)], r.spec, key(r));
      const group = await eventually(async () => {
        const g = await client.get({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'bookstore-service-routes', namespace: 'bookstore' } });
        const c = (g?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
        return c?.some((x) => x.type === 'Accepted') ? c : undefined;
      }, 10_000, 'conditions on the list-form HTTPRouteGroup');
      assert.equal(group.find((c) => c.type === 'Accepted')?.status, 'True');
    } finally {
      await running?.stop();
      await server.stop();
    }
  });
});

describe('smi controller when a kind it writes is not served', () => {
  test('linkerd without TCPRoute v1alpha2 served: the namespace needing one keeps failing, every other namespace converges', async () => {
    const target = findTarget('linkerd')!;
    const options: TranslateOptions = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' };
    const server = await new KubeApiServer().start();
    const client = new TestClient(server);
    let running: Awaited<ReturnType<typeof runController>> | undefined;
    const app = (ns: string, name: string) => [
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { serviceAccountName: name, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } } } },
    ];
    try {
      // The Gateway API CRDs as shipped: TCPRoute is served as v1 only.
      for (const folder of ['crds/linkerd', 'crds/gateway-api']) await client.installReferenceCrds(folder);
      for (const crd of allCrds()) await client.create(crd as K8sObject);
      for (const o of [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
        ...app('a', 'root'), ...app('a', 'v2'),
        { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'a' }, spec: { service: 'root', backends: [{ service: 'root', weight: 50 }, { service: 'v2', weight: 50 }] } },
        ...app('b', 'api'), ...app('b', 'web'),
        { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'r', namespace: 'b' }, spec: {} },
        { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'b' }, spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'b' }, sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'b' }], rules: [{ kind: 'TCPRoute', name: 'r' }] } },
      ]) await client.create(o as K8sObject);
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'smi-unserved-')), 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfig());
      running = await runController({ target, translate: options, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5 });
      const policies = await eventually(async () => { const l = await client.list('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy'); return l.some((p) => p.metadata.namespace === 'b') ? l : undefined; }, 15_000, 'namespace b converges although namespace a cannot');
      assert.ok(policies.some((p) => p.metadata.namespace === 'b'));
      const status = await eventually(async () => { const t = await client.get({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'b' } }); return (t?.status as { conditions?: unknown[] } | undefined)?.conditions ? t : undefined; }, 15_000, 'the status of b\'s TrafficTarget');
      assert.ok(status);
      assert.deepEqual((await client.list('gateway.networking.k8s.io/v1', 'TCPRoute')).length, 0, 'no TCPRoute could be written');
      // The split whose TCPRoute was refused says so in its status, with the server's answer.
      const split = await eventually(async () => {
        const t = await client.get({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'a' } });
        const programmed = ((t?.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Programmed');
        return programmed?.reason === 'WriteFailed' ? programmed : undefined;
      }, 15_000, 'the TrafficSplit\'s Programmed condition');
      assert.equal(split.status, 'False');
      assert.match(split.message, /TCPRoute a\/.* \(gateway\.networking\.k8s\.io\/v1alpha2\)/);
    } finally {
      await running?.stop();
      await server.stop();
    }
  });
});
