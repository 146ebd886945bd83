/**
 * The informer cache keeps a trimmed form of each object (src/kube/cached-form.ts). Whatever the
 * objects carry besides what smi reads — status, managedFields, kubectl's last-applied copy, the rest
 * of a pod template — the desired state computed from the kept form must be the one computed from
 * the original, for every target; and the parts dropped must really be gone.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { toCachedForm } from '../../src/kube/cached-form.js';
import { desiredState, type ClusterObject } from '../../src/controller/desired.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type Target } from '../../src/targets/target.js';
import { worlds } from '../support/worlds.js';

const isSmi = (o: Record<string, unknown>) => String(o.apiVersion).includes('smi-spec.io');
const clone = <T>(v: T): T => structuredClone(v);
// Objects of every kind, walked by field paths in the assertions below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/** What the API server adds to an object, and the parts of a workload smi never reads. */
const noise = fc.record({
  status: fc.constantFrom({ replicas: 2, conditions: [{ type: 'Available', status: 'True' }] }, { loadBalancer: {} }, { phase: 'Active' }),
  managed: fc.boolean(),
  lastApplied: fc.boolean(),
  annotations: fc.dictionary(fc.constantFrom('a.example/x', 'deployment.kubernetes.io/revision', 'note'), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
  podExtras: fc.boolean(),
});

function addNoise(o: Record<string, unknown>, n: { status: unknown; managed: boolean; lastApplied: boolean; annotations: Record<string, string>; podExtras: boolean }): Record<string, unknown> {
  const x = clone(o) as Loose;
  x.metadata = {
    ...x.metadata, uid: `uid-${x.kind}-${x.metadata.namespace}-${x.metadata.name}`, resourceVersion: '7', generation: 2, creationTimestamp: '2026-12-01T00:00:00Z',
    ...(n.managed ? { managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }] } : {}),
  };
  const annotations = { ...(x.metadata.annotations ?? {}), ...n.annotations, ...(n.lastApplied ? { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } : {}) };
  if (Object.keys(annotations).length > 0) x.metadata.annotations = annotations;
  if (!isSmi(x)) x.status = n.status;
  if (n.podExtras && x.spec?.template) {
    x.spec.replicas = 3;
    x.spec.strategy = { type: 'RollingUpdate' };
    x.spec.template.metadata.annotations = { 'prometheus.io/scrape': 'true' };
    x.spec.template.spec.volumes = [{ name: 'v', emptyDir: {} }];
    x.spec.template.spec.containers = x.spec.template.spec.containers.map((c: Loose) => ({ ...c, env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '1' } }, readinessProbe: { httpGet: { path: '/', port: 80 } } }));
  }
  if (n.podExtras && x.kind === 'Service') x.spec = { ...x.spec, clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], type: 'ClusterIP', sessionAffinity: 'None' };
  return x;
}

const noisyWorlds = worlds.chain((w) => fc.array(noise, { minLength: w.objects.length, maxLength: w.objects.length }).map((ns) => ({ ...w, objects: w.objects.map((o, i) => addNoise(o, ns[i]!)) })));

const options = { ...DEFAULT_OPTIONS, authz: 'istio' as const, linkerdDefaultPolicy: 'deny' as const, fence: 'networkpolicy' as const };

describe('the form objects are cached in', () => {
  test('every target: the desired state (resources, statuses, problems) from the kept form equals the one from the original', () => {
    fc.assert(fc.property(noisyWorlds, (world) => {
      const original = world.objects as ClusterObject[];
      const kept = original.map((o) => toCachedForm(clone(o), { keepStatus: isSmi(o) }));
      for (const target of Object.values(TARGETS) as Target[]) {
        const opts = target.fence ? options : { ...options, fence: undefined };
        const a = desiredState(original.filter(isSmi), original.filter((o) => !isSmi(o)), target, opts, world.mode, world.scope);
        const b = desiredState(kept.filter(isSmi), kept.filter((o) => !isSmi(o)), target, opts, world.mode, world.scope);
        assert.equal(stringify(b.resources), stringify(a.resources), target.name);
        assert.deepEqual([...b.statuses], [...a.statuses], target.name);
        assert.deepEqual([...b.problems], [...a.problems], target.name);
        assert.deepEqual([...b.namespaceFields], [...a.namespaceFields], target.name);
      }
    }), { numRuns: 60 });
  });

  test('drops what smi never reads, keeps SMI objects whole but for managedFields and the last-applied copy', () => {
    fc.assert(fc.property(noisyWorlds, (world) => {
      for (const o of world.objects) {
        const kept = toCachedForm(clone(o), { keepStatus: isSmi(o) }) as Loose;
        assert.equal(kept.metadata.managedFields, undefined);
        assert.equal(kept.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
        const { managedFields: _m, annotations: _a, ...meta } = (o as Loose).metadata;
        for (const [k, v] of Object.entries(meta)) assert.deepEqual(kept.metadata[k], v, `metadata.${k} of ${String(o.kind)}`);
        if (isSmi(o)) {
          assert.deepEqual(kept.spec, (o as Loose).spec);
          continue;
        }
        assert.equal(kept.status, undefined, `status of ${String(o.kind)}`);
        if (o.kind === 'Deployment') {
          assert.deepEqual(Object.keys(kept.spec), ['template']);
          assert.equal(kept.spec.template.metadata.annotations, undefined);
          assert.equal(kept.spec.template.spec.volumes, undefined);
          for (const c of kept.spec.template.spec.containers) assert.deepEqual(Object.keys(c).filter((k) => k !== 'name' && k !== 'ports'), []);
        }
        if (o.kind === 'Service') assert.deepEqual(Object.keys(kept.spec).sort(), ['ports', 'selector'].filter((k) => k in (o as Loose).spec).sort());
      }
    }), { numRuns: 100 });
  });

  test('a Namespace keeps its managedFields (smi reads which annotations it owns there from them); a mesh resource keeps its spec', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { x: 'y' }, managedFields: [{ manager: 'smi' }] }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    const kept = toCachedForm(clone(ns), { keepStatus: false }) as Loose;
    assert.deepEqual(kept, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { x: 'y' }, managedFields: [{ manager: 'smi' }] } });
    const ap = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'a', managedFields: [{}] }, spec: { action: 'ALLOW', rules: [{}] }, status: { validationMessages: [] } };
    assert.deepEqual(toCachedForm(clone(ap), { keepStatus: false }), { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'a' }, spec: { action: 'ALLOW', rules: [{}] } });
  });
});
