/**
 * The controller's pure core. For targets that declare themselves namespace-local, recomputing one
 * namespace at a time must give exactly what recomputing everything gives — the controller relies
 * on it to make a change cost its namespace, not the cluster.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { desiredState, type ClusterObject } from '../../src/controller/desired.js';
import { conditionsFor, sameStatus, withTransitionTimes } from '../../src/controller/conditions.js';
import { TARGETS, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type Target, type TranslateOptions } from '../../src/targets/target.js';
import { worlds } from '../support/worlds.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { validateYaml } from '../support/inputs.js';

const options = { ...DEFAULT_OPTIONS, authz: 'istio' as const, linkerdDefaultPolicy: 'deny' as const };
const isSmi = (o: ClusterObject) => String(o.apiVersion).includes('smi-spec.io');

describe('desired state', () => {
  // Each target under the option sets that change what it reads: the fence reads the sources' namespaces.
  const optionSets: [string, TranslateOptions][] = [
    ['', options], [' --fence', { ...options, fence: 'networkpolicy' }], [' --linkerd-namespace-deny', { ...options, linkerdNamespaceDeny: true }],
    [' --enforcement audit', { ...options, enforcement: 'audit' }], [' --cilium-mutual-auth', { ...options, ciliumMutualAuth: true }],
  ];
  for (const target of Object.values(TARGETS) as Target[]) {
    for (const [flags, opts] of optionSets.filter(([, o]) => target.namespaceLocal?.(o) === true && (o.fence === undefined || target.fence !== undefined) && (o.enforcement === undefined || target.audit !== undefined))) {
      test(`${target.name}${flags}: namespace by namespace equals all at once`, () => {
        fc.assert(fc.property(worlds, (world) => {
          const objects = world.objects.map((o, i) => ({ ...o, metadata: { ...(o.metadata as object), uid: `uid-${i}` } })) as ClusterObject[];
          const all = desiredState(objects.filter(isSmi), objects.filter((o) => !isSmi(o)), target, opts, world.mode);
          const namespaces = [...new Set(objects.map((o) => o.metadata?.namespace ?? ''))];
          const parts = namespaces.flatMap((ns) => {
            const mine = objects.filter((o) => o.metadata?.namespace === ns);
            return desiredState(mine.filter(isSmi), mine.filter((o) => !isSmi(o)), target, opts, world.mode).resources;
          });
          const key = (r: { kind: string; metadata: { namespace?: string; name: string } }) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
          const sort = (rs: typeof parts) => [...rs].sort((a, b) => key(a).localeCompare(key(b)));
          assert.equal(stringify(sort(parts)), stringify(sort(all.resources)));
        }), { numRuns: 100 });
      });
    }
  }

  test('with the NetworkPolicy fence no mesh is namespace-local: a source namespace\'s pod labels decide the destination\'s NetworkPolicy', () => {
    for (const target of (Object.values(TARGETS) as Target[]).filter((t) => t.fence)) assert.equal(target.namespaceLocal?.({ ...options, fence: 'networkpolicy' }) ?? false, false, target.name);
    const world = (labels: Record<string, string>) => validateYaml([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'b' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'b' }, spec: { template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' }, spec: { template: { metadata: { labels }, spec: { serviceAccountName: 'web', containers: [{ name: 'c' }] } } } },
      { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'b' }, spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'b' }, sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'a' }], rules: [{ kind: 'TCPRoute', name: 'r' }] } },
      { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'r', namespace: 'b' }, spec: {} },
    ].map((o) => stringify(o)).join('---\n'));
    const fenceOf = (labels: Record<string, string>) => TARGETS.istio!.translate(resolvePolicy(world(labels), { mode: 'strict', scope: scopeOptions() }), { ...options, fence: 'networkpolicy' }).resources
      .filter((r) => r.kind === 'NetworkPolicy' && r.metadata.namespace === 'b');
    assert.notEqual(stringify(fenceOf({ app: 'web' })), stringify(fenceOf({ app: 'web2' })), 'a label changed in namespace a changes a NetworkPolicy in namespace b');
  });

  test('every target writes only the kinds it declares for its options (the controller owns and RBAC allows exactly those)', () => {
    const combos: [string, typeof options][] = [
      ['istio', DEFAULT_OPTIONS], ['linkerd', { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' }], ['linkerd', { ...DEFAULT_OPTIONS, linkerdServiceProfiles: true }],
      ['gateway-api', { ...DEFAULT_OPTIONS, authz: 'istio' }], ['gateway-api', { ...DEFAULT_OPTIONS, authz: 'linkerd' }], ['gateway-api', DEFAULT_OPTIONS],
      ['consul', DEFAULT_OPTIONS], ['appmesh', DEFAULT_OPTIONS],
    ] as never;
    fc.assert(fc.property(worlds, (world) => {
      const model = resolvePolicy(validateYaml(world.objects.map((o) => stringify(o)).join('---\n')), { mode: world.mode, scope: scopeOptions(world.scope) });
      for (const [name, opts] of combos) {
        const target = TARGETS[name as keyof typeof TARGETS]!;
        const declared = new Set(target.writesWith?.(opts) ?? target.writes);
        for (const r of target.translate(model, opts).resources) assert.ok(declared.has(`${r.apiVersion}/${r.kind}`), `${name} ${JSON.stringify(opts)} wrote ${r.apiVersion}/${r.kind}, not in ${[...declared].join(', ')}`);
      }
    }), { numRuns: 100 });
  });

  test('conditions: invalid → Accepted/Programmed False; transition times kept while status holds', () => {
    const invalid = conditionsFor(3, [{ severity: 'error', code: 'SMI_X', message: 'bad', path: 'spec' }], [], [], 'istio');
    assert.deepEqual(invalid.conditions.map((c) => [c.type, c.status, c.reason]), [['Accepted', 'False', 'Invalid'], ['ResolvedRefs', 'True', 'ResolvedRefs'], ['Programmed', 'False', 'Invalid']]);
    const narrowed = conditionsFor(3, [], [], [{ severity: 'error', code: 'ISTIO_PATH_INEXPRESSIBLE', message: 'regex', path: '' }], 'istio');
    assert.equal(narrowed.conditions[2]!.reason, 'NotExpressed');
    const ok = conditionsFor(3, [], [], [], 'istio');
    const first = withTransitionTimes(ok, undefined, 't1');
    const second = withTransitionTimes(ok, first, 't2');
    assert.ok(second.conditions.every((c) => c.lastTransitionTime === 't1'));
    assert.ok(sameStatus(first, ok));
    assert.ok(!sameStatus(first, conditionsFor(4, [], [], [], 'istio')), 'a new generation is a new status');
  });
});

describe('statuses as the API server returns them', () => {
  test('the same conditions with keys in another order (kube-apiserver sorts them) are the same status: nothing to write', () => {
    const next = withTransitionTimes(conditionsFor(3, [], [], [], 'istio'), undefined, '2026-12-01T00:00:00Z');
    const sortKeys = (o: unknown): unknown => (Array.isArray(o) ? o.map(sortKeys) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)])) : o);
    const stored = sortKeys(JSON.parse(JSON.stringify(next))) as typeof next;
    assert.notEqual(JSON.stringify(stored), JSON.stringify(next), 'the key order differs');
    assert.equal(sameStatus(stored, next), true);
    assert.equal(sameStatus(stored, conditionsFor(3, [{ severity: 'error', code: 'X', message: 'm', path: '' }], [], [], 'istio')), false);
  });
});
