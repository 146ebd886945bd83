/**
 * The controller's namespace-by-namespace desired state for targets translated by namespace
 * (Consul, App Mesh): after any sequence of changes, each touching one namespace, what it holds
 * equals the desired state recomputed for the whole cluster.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { desiredState, type ClusterObject, type DesiredState } from '../../src/controller/desired.js';
import { NamespacedDesired, type NamespaceObjects } from '../../src/controller/partitioned.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type Target, type TranslateOptions } from '../../src/targets/target.js';
import { NAMESPACES, worlds, type World } from '../support/worlds.js';

const isSmi = (o: ClusterObject) => String(o.apiVersion).includes('smi-spec.io');
const nsOf = (o: ClusterObject) => (o.kind === 'Namespace' ? o.metadata?.name : o.metadata?.namespace) ?? '';
/** The same object gets the same uid in every world (owner references carry it). */
const withUids = (objects: readonly Record<string, unknown>[]): ClusterObject[] =>
  (objects as ClusterObject[]).map((o) => ({ ...o, metadata: { ...o.metadata, uid: `uid-${o.kind}-${o.metadata?.namespace}-${o.metadata?.name}` } }) as ClusterObject);

function split(objects: readonly ClusterObject[]): NamespaceObjects {
  return { smi: objects.filter(isSmi), inventory: objects.filter((o) => !isSmi(o)) };
}

/** What the controller writes from a desired state: resources, statuses, problems (as text, order-free). */
function written(parts: Iterable<DesiredState>): { resources: string[]; statuses: string[]; problems: string[] } {
  const out = { resources: [] as string[], statuses: [] as string[], problems: [] as string[] };
  for (const d of parts) {
    out.resources.push(...d.resources.map((r) => JSON.stringify(r)));
    out.statuses.push(...[...d.statuses].map(([k, s]) => `${k} ${JSON.stringify(s)}`));
    out.problems.push(...[...d.problems].map(([k, p]) => `${k} ${JSON.stringify(p.map((x) => [x.code, x.message]).sort())}`));
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

const combos: [string, Target, TranslateOptions][] = [
  ['consul', TARGETS.consul!, DEFAULT_OPTIONS],
  ['consul --consul-namespaces mirror', TARGETS.consul!, { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' }],
  ['appmesh', TARGETS.appmesh!, DEFAULT_OPTIONS],
];

/** A change to one namespace: its objects replaced by that namespace's objects of another world. */
const change = fc.record({ namespace: fc.constantFrom(...NAMESPACES), from: worlds });

describe('namespace-by-namespace desired state (targets translated by namespace)', () => {
  for (const [name, target, options] of combos) {
    test(`${name}: after each change to one namespace, equal to recomputing the cluster`, () => {
      fc.assert(fc.property(worlds, fc.array(change, { minLength: 1, maxLength: 4 }), (world: World, changes) => {
        const partition = target.partition?.(options);
        assert.ok(partition, `${name} is translated by namespace`);
        const incremental = new NamespacedDesired(partition, target, options, world.mode, world.scope);
        let objects = withUids(world.objects);
        const inNamespace = (ns: string) => split(objects.filter((o) => nsOf(o) === ns));
        const held = new Map<string, DesiredState>();
        // Cold start: every namespace's exports, then every namespace's translation.
        const all = [...new Set([...NAMESPACES, ...objects.map(nsOf)])].sort();
        for (const ns of all) incremental.refresh(ns, inNamespace(ns), false);
        for (const ns of all) held.set(ns, incremental.desired(ns, inNamespace(ns)));
        const full = () => desiredState(objects.filter(isSmi), objects.filter((o) => !isSmi(o)), target, options, world.mode, world.scope);
        assert.deepEqual(written(held.values()), written([full()]), 'cold start');
        for (const c of changes) {
          objects = [...objects.filter((o) => nsOf(o) !== c.namespace), ...withUids(c.from.objects).filter((o) => nsOf(o) === c.namespace)];
          const affected = incremental.refresh(c.namespace, inNamespace(c.namespace));
          for (const ns of affected) held.set(ns, incremental.desired(ns, inNamespace(ns)));
          assert.deepEqual(written(held.values()), written([full()]), `after replacing namespace ${c.namespace}`);
        }
      }), { numRuns: 60 });
    });
  }

  test('a namespace re-translates only when a fact it read changed (App Mesh: a grant elsewhere adds a backend)', () => {
    const deployment = (ns: string, sa: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: sa, namespace: ns }, spec: { template: { metadata: { labels: { app: sa } }, spec: { serviceAccountName: sa, containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } } });
    const svc = (ns: string, sa: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: sa, namespace: ns }, spec: { selector: { app: sa }, ports: [{ port: 80 }] } });
    const route = (ns: string) => ({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'r', namespace: ns }, spec: {} });
    const grant = (ns: string, dest: string, sources: [string, string][]) => ({
      apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: `to-${dest}`, namespace: ns },
      spec: { destination: { kind: 'ServiceAccount', name: dest, namespace: ns }, sources: sources.map(([n, s]) => ({ kind: 'ServiceAccount', name: s, namespace: n })), rules: [{ kind: 'TCPRoute', name: 'r' }] },
    });
    const base = [deployment('a', 'web'), svc('a', 'web'), route('a'), grant('a', 'web', []), deployment('b', 'api'), svc('b', 'api'), route('b'), grant('b', 'api', [['c', 'other']]), deployment('c', 'other'), route('c'), grant('c', 'other', [])];
    const incremental = new NamespacedDesired(TARGETS.appmesh!.partition!(DEFAULT_OPTIONS)!, TARGETS.appmesh!, DEFAULT_OPTIONS, 'strict');
    let objects = withUids(base);
    const inNamespace = (ns: string) => split(objects.filter((o) => nsOf(o) === ns));
    for (const ns of ['a', 'b', 'c']) incremental.refresh(ns, inNamespace(ns), false);
    const backends = (ns: string) => JSON.stringify(incremental.desired(ns, inNamespace(ns)).resources.filter((r) => r.kind === 'VirtualNode' && r.metadata.name === 'smi-web').map((r) => (r.spec as { backends?: unknown }).backends));
    assert.equal(backends('a'), '[null]', 'web may call nothing yet');
    for (const ns of ['b', 'c']) incremental.desired(ns, inNamespace(ns));
    objects = withUids([...base.filter((o) => !(o.kind === 'TrafficTarget' && o.metadata.namespace === 'b')), grant('b', 'api', [['a', 'web']])]);
    assert.deepEqual([...incremental.refresh('b', inNamespace('b'))].sort(), ['a', 'b', 'c'], 'b grants a/web instead of c/other: a gains a backend, c loses one');
    assert.equal(backends('a'), JSON.stringify([[{ virtualService: { virtualServiceRef: { name: 'api', namespace: 'b' } } }]]));
    // The same grant again under another name: nothing anyone reads changes.
    objects = withUids([...objects, { ...grant('b', 'api', [['a', 'web']]), metadata: { name: 'again', namespace: 'b' } }]);
    assert.deepEqual([...incremental.refresh('b', inNamespace('b'))], ['b']);
  });
});
