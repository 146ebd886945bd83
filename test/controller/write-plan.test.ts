/**
 * The controller's write plan, decided without a server (pure): what a reconcile applies, annotates,
 * deletes, patches and posts, from the desired state and what the cache shows — and nothing twice.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { desiredState, objectKey, type ClusterObject } from '../../src/controller/desired.js';
import { planWrites, statusesToWrite, type PlanInput } from '../../src/controller/write-plan.js';
import { withWriteFailure } from '../../src/controller/conditions.js';
import { DESIRED_HASH, resourceKey, type LiveResource } from '../../src/controller/plan.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { deploymentYaml } from '../support/policy.js';
import { FIELD_MANAGER } from '../../src/kube/writer.js';

const WORLD = deploymentYaml('shop', 'books', 'books', [8080]) + deploymentYaml('shop', 'web', 'web', [80]) + `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: reads, namespace: shop}
spec: {matches: [{name: get, methods: [GET], pathRegex: "/books/[a-z]+[0-9]*(x|y)"}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-reads, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: reads}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`;
const objects = parseAllDocuments(WORLD).map((d, i) => {
  const o = d.toJS() as ClusterObject;
  return { ...o, metadata: { ...o.metadata, uid: `uid-${i}` } } as ClusterObject;
});
const LINKERD = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const };
const isSmi = (o: ClusterObject) => String(o.apiVersion).includes('smi-spec.io');
const smi = objects.filter(isSmi);

function input(target: 'istio' | 'linkerd', overrides: Partial<PlanInput> = {}, options = DEFAULT_OPTIONS): PlanInput {
  const desired = desiredState(smi, objects.filter((o) => !isSmi(o)), TARGETS[target]!, options, 'strict');
  return { desired, smi, live: [], namespaces: new Map(), applied: new Map(), annotated: new Map(), postedEvents: new Set(), sentEvents: new Set(), ...overrides };
}

describe('the write plan', () => {
  test('on an empty cluster: every resource created, a status for every SMI object, an Event per problem', () => {
    const i = input('istio');
    const plan = planWrites(i);
    assert.equal(plan.applies.length, i.desired.resources.length);
    assert.ok(plan.applies.every((r) => typeof r.metadata.annotations?.[DESIRED_HASH] === 'string'), 'each apply carries its intent hash');
    assert.deepEqual(plan.changes.map((c) => c.verb), plan.applies.map(() => 'create'));
    assert.deepEqual(plan.deletes, []);
    assert.deepEqual(plan.statuses.map((s) => objectKey(s.object)).sort(), smi.map(objectKey).sort());
    // Istio cannot say the regex path: an error on the TrafficTarget, posted once as an Event.
    assert.ok(plan.events.some((e) => e.code === 'ISTIO_PATH_INEXPRESSIBLE' && objectKey(e.object) === 'TrafficTarget/shop/web-reads'), JSON.stringify(plan.events));
  });

  test('once the cluster holds it all: nothing to apply or delete; what smi no longer wants is deleted', () => {
    const first = planWrites(input('istio'));
    const live = first.applies as readonly LiveResource[];
    const stale: LiveResource = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'smi-gone', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'smi' } }, spec: {} };
    const again = planWrites(input('istio', { live: [...live, stale] }));
    assert.deepEqual(again.applies, []);
    assert.deepEqual(again.deletes, [stale]);
    assert.deepEqual(again.changes.map((c) => `${c.verb} ${c.key}`), [`delete ${resourceKey(stale)}`]);
  });

  test('an apply the cache has not shown back yet is not applied again; a drifted field is', () => {
    const first = planWrites(input('linkerd', {}, LINKERD));
    const applied = new Map(first.applies.map((r) => [resourceKey(r), r.metadata.annotations![DESIRED_HASH]!]));
    assert.deepEqual(planWrites(input('linkerd', { applied }, LINKERD)).applies, []);
    // Someone removed the rules smi wrote (a spec with more than smi set is the server's defaults, not drift).
    const live = first.applies as readonly LiveResource[];
    const one = live.find((r) => JSON.stringify(r.spec).includes('rules'))!;
    const drifted = { ...one, spec: {} };
    const plan = planWrites(input('linkerd', { live: live.map((r) => (r === one ? drifted : r)) }, LINKERD));
    assert.deepEqual(plan.changes.map((c) => [c.verb, c.key, c.fields]), [['update', resourceKey(one), ['spec']]]);
  });

  test('statuses are written where they change, and say a refused write of the resources an object produced', () => {
    // On Linkerd the grant is carried whole, so the TrafficTarget is Programmed until a write fails.
    const plan = planWrites(input('linkerd', {}, LINKERD));
    const settled = plan.statuses.map((s) => ({ ...s, previous: s.planned }));
    assert.deepEqual(statusesToWrite(settled, new Map(), withWriteFailure), []);
    const failures = new Map([['TrafficTarget/shop/web-reads', 'AuthorizationPolicy shop/smi-books: refused']]);
    const written = statusesToWrite(settled, failures, withWriteFailure);
    assert.deepEqual(written.map((s) => objectKey(s.object)), ['TrafficTarget/shop/web-reads']);
    assert.match(JSON.stringify(written[0]!.planned), /refused/);
  });

  test('an Event is posted once: not again when the cache holds it or this process sent it', () => {
    const events = planWrites(input('istio')).events;
    assert.ok(events.length > 0);
    const sentEvents = new Set(events.map((e) => e.id));
    assert.deepEqual(planWrites(input('istio', { sentEvents })).events, []);
    const postedEvents = new Set(events.map((e) => `${e.object.metadata?.namespace}/${e.object.metadata?.name}.${e.id}`));
    assert.deepEqual(planWrites(input('istio', { postedEvents })).events, []);
  });

  test('namespace annotations: written where missing, given back where no longer wanted, never outside the namespaces looked at', () => {
    const options = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const, linkerdNamespaceDeny: true };
    const wanted = planWrites(input('linkerd', {}, options));
    assert.deepEqual(wanted.annotations, [{ name: 'shop', annotations: { 'config.linkerd.io/default-inbound-policy': 'deny' } }]);
    assert.ok(wanted.changes.some((c) => c.key === 'v1/Namespace//shop' && c.fields.includes('annotations')));
    const held = { metadata: { name: 'shop', annotations: { 'config.linkerd.io/default-inbound-policy': 'deny' }, managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:config.linkerd.io/default-inbound-policy': {} } } } }] } };
    assert.deepEqual(planWrites(input('linkerd', { namespaces: new Map([['shop', held]]) }, options)).annotations, []);
    const old = { metadata: { ...held.metadata, name: 'old' } };
    const back = planWrites(input('linkerd', { namespaces: new Map([['shop', held], ['old', old]]) }, options));
    assert.deepEqual(back.annotations, [{ name: 'old', annotations: {} }]);
    assert.deepEqual(planWrites(input('linkerd', { namespaces: new Map([['shop', held], ['old', old]]), looked: new Set(['shop']) }, options)).annotations, []);
  });

  test('namespace labels (Istio ambient\'s use-waypoint): written where missing, held when the cache shows them as smi\'s, given back with the rest', () => {
    const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const };
    const wanted = planWrites(input('istio', {}, options));
    assert.deepEqual(wanted.annotations, [{ name: 'shop', annotations: {}, labels: { 'istio.io/use-waypoint': 'smi-waypoint' } }]);
    assert.ok(wanted.changes.some((c) => c.key === 'v1/Namespace//shop' && c.fields.includes('labels')));
    assert.ok(wanted.applies.some((r) => r.kind === 'Gateway' && r.metadata.name === 'smi-waypoint'), 'the waypoint is applied like any resource');
    const held = { metadata: { name: 'shop', labels: { 'istio.io/use-waypoint': 'smi-waypoint' }, managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:istio.io/use-waypoint': {} } } } }] } };
    assert.deepEqual(planWrites(input('istio', { namespaces: new Map([['shop', held]]) }, options)).annotations, []);
    // Someone else's label of the same value is not smi's: smi still applies its own.
    const theirs = { metadata: { name: 'shop', labels: { 'istio.io/use-waypoint': 'smi-waypoint' } } };
    assert.equal(planWrites(input('istio', { namespaces: new Map([['shop', theirs]]) }, options)).annotations.length, 1);
    // With --istio-waypoint none nothing needs the label: it is given back.
    assert.deepEqual(planWrites(input('istio', { namespaces: new Map([['shop', held]]) }, { ...options, istioWaypoint: 'none' })).annotations, [{ name: 'shop', annotations: {} }]);
  });
});
