/**
 * The controller drives every mesh, not only Istio: for each target, the bookstore in a cluster that
 * serves and admits what that mesh's reference CRDs serve and admit converges to resources that fit
 * them, and deleting the SMI objects cleans them up. In memory (no HTTP): the controller's reader and
 * writer keep the API server's promises (test/support/memory-cluster.ts); e2e/ runs it on the real server.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CrdSchemas } from '../support/crd-schemas.js';
import { referenceDocuments } from '../support/reference.js';
import { MemoryCluster, schemaAdmission } from '../support/memory-cluster.js';
import { controllerOn, type MemoryController } from '../support/memory-controller.js';
import { modelOf } from '../support/policy.js';
import { ownedKinds } from '../../src/controller/controller.js';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { allCrds } from '../../src/api/crds.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const CASES: { mesh: string; crds: string[]; options: TranslateOptions }[] = [
  { mesh: 'linkerd', crds: ['crds/linkerd', 'crds/gateway-api'], options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' } },
  { mesh: 'gateway-api', crds: ['crds/gateway-api', 'crds/istio'], options: { ...DEFAULT_OPTIONS, authz: 'istio' } },
  { mesh: 'consul', crds: ['crds/consul'], options: { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' } },
  { mesh: 'appmesh', crds: ['crds/appmesh'], options: DEFAULT_OPTIONS },
];

type Crd = { spec?: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] } };

/** A cluster with these reference CRDs installed (and smi's): it serves the versions they serve, and admits what their schemas admit. */
function clusterWith(folders: readonly string[], alsoServed: readonly string[] = []): MemoryCluster {
  const served = new Set(alsoServed);
  for (const crd of [...folders.flatMap((f) => referenceDocuments(f)), ...allCrds()] as Crd[]) {
    for (const v of crd?.spec?.versions ?? []) if (v.served) served.add(`${crd.spec!.group}/${v.name}/${crd.spec!.names.kind}`);
  }
  return new MemoryCluster({
    admit: schemaAdmission(new CrdSchemas(...folders).add(allCrds())),
    serves: (apiVersion, kind) => !apiVersion.includes('.') || served.has(`${apiVersion}/${kind}`),
  });
}

const bookstoreText = () => readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');
const conditionsOf = (o: object | undefined) => (((o as { status?: unknown } | undefined)?.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions ?? []);

describe('smi controller on every mesh', () => {
  for (const c of CASES) {
    test(`${c.mesh}: converges to resources that fit its CRDs, and cleans up`, async () => {
      const target = findTarget(c.mesh)!;
      // Linkerd reads TCPRoute as v1alpha2, which the Gateway API CRDs it bundles still serve.
      const cluster = clusterWith(c.crds, c.mesh === 'linkerd' ? ['gateway.networking.k8s.io/v1alpha2/TCPRoute'] : []);
      cluster.putYaml(bookstoreText());
      let running: MemoryController | undefined;
      try {
        running = await controllerOn(cluster, { target, translate: c.options });
        await running.settled();
        const expected = target.translate(modelOf(bookstoreText()), c.options).resources.length;
        const owned = () => ownedKinds(target, c.options).flatMap((k) => cluster.list(k.apiVersion, k.kind));
        assert.equal(owned().length, expected, `${expected} ${c.mesh} resources`);
        // Every SMI object's status is written, and no write was refused: nothing the mesh's CRDs did not admit.
        for (const k of ['access.smi-spec.io/v1alpha3/TrafficTarget', 'split.smi-spec.io/v1alpha4/TrafficSplit']) {
          const [group, version, kind] = k.split('/');
          for (const o of cluster.list(`${group}/${version}`, kind!)) {
            const programmed = conditionsOf(o).find((x) => x.type === 'Programmed');
            assert.ok(programmed && programmed.reason !== 'WriteFailed', `${kind} ${o.metadata.name}: ${JSON.stringify(conditionsOf(o))}`);
          }
        }
        for (const d of parseAllDocuments(bookstoreText())) {
          const o = d.toJS() as { apiVersion?: string } | null;
          if (o && String(o.apiVersion).includes('smi-spec.io')) cluster.remove(o as never);
        }
        await running.settled();
        // Without SMI objects, strict mode still locks workloads down on meshes that need an explicit deny.
        assert.equal(owned().length, target.translate(modelOf(readFileSync(join(BOOKSTORE, 'workloads.yaml'), 'utf8')), c.options).resources.length, 'clean up');
      } finally {
        await running?.stop();
      }
    });
  }
});

describe('smi controller on SMI as OSM wrote it', () => {
  test('consul: the OSM bookstore (list-form headers, FQDN split root) converges to exactly what smi translate writes', async () => {
    const text = readFileSync(resolve(import.meta.dirname, '../fixtures/field/osm-bookstore.yaml'), 'utf8');
    const target = findTarget('consul')!;
    const cluster = clusterWith(['crds/consul']);
    // Without the conversion webhook only the newest versions are served: stored as the webhook converts them.
    cluster.putYaml(text);
    const running = await controllerOn(cluster, { target });
    try {
      await running.settled();
      const expected = target.translate(modelOf(text), DEFAULT_OPTIONS).resources;
      // Consul matches header regexes, so OSM's two list entries become two header conditions of one permission.
      assert.ok(expected.some((r) => JSON.stringify(r.spec).includes('client-app') && JSON.stringify(r.spec).includes('user-agent')), 'the list-form headers reach the translation');
      const live = ownedKinds(target, DEFAULT_OPTIONS).flatMap((k) => cluster.list(k.apiVersion, k.kind));
      assert.equal(live.length, expected.length);
      const key = (o: { kind: string; metadata: { namespace?: string; name: string } }) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
      const liveSpecs = Object.fromEntries(live.map((o) => [key(o as never), o.spec]));
      for (const r of expected) assert.deepEqual(liveSpecs[key(r)], r.spec, key(r));
      const group = cluster.get('specs.smi-spec.io/v1alpha4', 'HTTPRouteGroup', 'bookstore', 'bookstore-service-routes');
      assert.equal(conditionsOf(group).find((c) => c.type === 'Accepted')?.status, 'True');
    } finally {
      await running.stop();
    }
  });
});

describe('smi controller when a kind it writes is not served', () => {
  test('linkerd without TCPRoute v1alpha2 served: the namespace needing one keeps failing, every other namespace converges', async () => {
    const target = findTarget('linkerd')!;
    const options: TranslateOptions = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' };
    const app = (ns: string, name: string) => [
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { serviceAccountName: name, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } } } },
    ];
    // The Gateway API CRDs as shipped: TCPRoute is served as v1 only.
    const cluster = clusterWith(['crds/linkerd', 'crds/gateway-api']);
    for (const o of [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ...app('a', 'root'), ...app('a', 'v2'),
      { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'a' }, spec: { service: 'root', backends: [{ service: 'root', weight: 50 }, { service: 'v2', weight: 50 }] } },
      ...app('b', 'api'), ...app('b', 'web'),
      { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'r', namespace: 'b' }, spec: {} },
      { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'b' }, spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'b' }, sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'b' }], rules: [{ kind: 'TCPRoute', name: 'r' }] } },
    ]) cluster.put(o);
    const running = await controllerOn(cluster, { target, translate: options });
    try {
      // The failing namespace is retried with backoff (it never leaves the queue): wait until writes stop.
      await running.quiet();
      assert.ok(cluster.list('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy').some((p) => p.metadata.namespace === 'b'), 'namespace b converges although namespace a cannot');
      assert.ok(conditionsOf(cluster.get('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'b', 't')).length > 0, "the status of b's TrafficTarget");
      assert.equal(cluster.list('gateway.networking.k8s.io/v1', 'TCPRoute').length + cluster.list('gateway.networking.k8s.io/v1alpha2', 'TCPRoute').length, 0, 'no TCPRoute could be written');
      // The split whose TCPRoute was refused says so in its status, with the server's answer.
      const programmed = conditionsOf(cluster.get('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'a', 's')).find((c) => c.type === 'Programmed');
      assert.equal(programmed?.reason, 'WriteFailed');
      assert.equal(programmed?.status, 'False');
      assert.match(programmed!.message, /TCPRoute a\/.* \(gateway\.networking\.k8s\.io\/v1alpha2\)/);
    } finally {
      await running.stop();
    }
  });
});

describe('smi controller on Istio ambient with waypoints', () => {
  test('the waypoint and its policies applied, the namespace labelled by server-side apply as smi\'s alone, and given back when nothing needs it', async () => {
    const target = findTarget('istio')!;
    const options: TranslateOptions = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' };
    const cluster = clusterWith(['crds/istio', 'crds/gateway-api']);
    cluster.putYaml(bookstoreText());
    // Someone else's label on the namespace stays whatever smi does.
    const ns = cluster.get('v1', 'Namespace', undefined, 'bookstore')!;
    cluster.put({ ...ns, metadata: { ...ns.metadata, labels: { ...(ns.metadata.labels ?? {}), 'istio.io/dataplane-mode': 'ambient' } } });
    const running = await controllerOn(cluster, { target, translate: options });
    try {
      await running.settled();
      const expected = target.translate(modelOf(bookstoreText()), options).resources;
      assert.ok(expected.some((r) => r.kind === 'Gateway'));
      const owned = () => ownedKinds(target, options).flatMap((k) => cluster.list(k.apiVersion, k.kind));
      assert.equal(owned().length, expected.filter((r) => r.kind !== 'Namespace').length);
      assert.deepEqual(cluster.get('gateway.networking.k8s.io/v1', 'Gateway', 'bookstore', 'smi-waypoint')?.spec, { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
      const labelled = cluster.get('v1', 'Namespace', undefined, 'bookstore')!;
      assert.deepEqual(labelled.metadata.labels, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'smi-waypoint' });
      const mine = (labelled.metadata.managedFields as { manager: string; fieldsV1: { 'f:metadata': { 'f:labels': Record<string, unknown> } } }[]).find((e) => e.manager === 'smi-controller');
      assert.deepEqual(Object.keys(mine?.fieldsV1['f:metadata']['f:labels'] ?? {}), ['f:istio.io/use-waypoint'], 'smi owns its label and nothing else');
      for (const d of parseAllDocuments(bookstoreText())) {
        const o = d.toJS() as { apiVersion?: string } | null;
        if (o && String(o.apiVersion).includes('smi-spec.io')) cluster.remove(o as never);
      }
      await running.settled();
      assert.equal(cluster.get('gateway.networking.k8s.io/v1', 'Gateway', 'bookstore', 'smi-waypoint'), undefined, 'no route-level grant left: no waypoint');
      assert.deepEqual(cluster.get('v1', 'Namespace', undefined, 'bookstore')!.metadata.labels, { 'istio.io/dataplane-mode': 'ambient' }, 'the label given back, the user\'s kept');
    } finally {
      await running.stop();
    }
  });
});
