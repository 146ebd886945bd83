/**
 * Named cases for --fence networkpolicy: the NetworkPolicies written beside each mesh, what a CNI then
 * decides (the evaluator, checked here against the Kubernetes documentation's rules), and the CLI.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type MeshResource, type TranslateOptions } from '../../src/targets/target.js';
import { evaluateNetworkPolicies } from '../../src/targets/fence/evaluate.js';
import type { NetworkPolicySpec } from '../../src/targets/fence/types.js';
import type { Workload } from '../../src/policy/model.js';
import { decide } from '../../src/policy/decide.js';
import { runCli } from '../support/cli.js';
import { deploymentYaml, httpRequest, l4Request, modelOf } from '../support/policy.js';

const FENCE: TranslateOptions = { ...DEFAULT_OPTIONS, fence: 'networkpolicy' };

const policyText = `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: books-routes, namespace: shop}
spec:
  matches:
  - {name: list, methods: [GET], pathRegex: /books}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: http-port, namespace: shop}
spec: {matches: {ports: [8080]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [53]}}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-to-books, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: books-routes}, {kind: UDPRoute, name: dns}]
  sources: [{kind: ServiceAccount, name: web, namespace: front}]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-to-books-raw, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: TCPRoute, name: http-port}]
  sources: [{kind: ServiceAccount, name: admin, namespace: front}]
`;
const inventory = deploymentYaml('shop', 'books', 'books', [8080]) + deploymentYaml('front', 'web', 'web', [80]) + deploymentYaml('front', 'admin', 'admin', [80]) + deploymentYaml('front', 'guest', 'guest', [80]) + deploymentYaml('kube-system', 'dns', 'coredns', [53]);
const text = inventory + policyText;

const fences = (resources: readonly MeshResource[]) => resources.filter((r) => r.kind === 'NetworkPolicy');
const byName = (resources: readonly MeshResource[], namespace: string, name: string) => {
  const r = resources.find((x) => x.kind === 'NetworkPolicy' && x.metadata.namespace === namespace && x.metadata.name === name);
  assert.ok(r, `NetworkPolicy ${namespace}/${name} in ${resources.filter((x) => x.kind === 'NetworkPolicy').map((x) => `${x.metadata.namespace}/${x.metadata.name}`).join(', ')}`);
  return r.spec as NetworkPolicySpec;
};

describe('fence: what it writes', () => {
  test('istio, strict: the destination lets in its granted caller on the granted TCP and UDP ports; a default per namespace opens only the sidecar ports', () => {
    const model = modelOf(text);
    const t = findTarget('istio')!.translate(model, FENCE);
    const books = byName(t.resources, 'shop', 'smi-fence-books');
    assert.deepEqual(books, {
      podSelector: { matchLabels: { app: 'books' } },
      policyTypes: ['Ingress'],
      // HTTP rules without a TCPRoute grant HTTP on every port: the fence cannot tell HTTP from TCP.
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'front' } }, podSelector: { matchLabels: { app: 'web' } } }],
        ports: [{ protocol: 'TCP' }, { protocol: 'UDP', port: 53 }],
      }, {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'front' } }, podSelector: { matchLabels: { app: 'admin' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
    assert.deepEqual(byName(t.resources, 'shop', 'smi-fence--default').ingress, [{ ports: [15020, 15021, 15090].map((port) => ({ protocol: 'TCP', port })) }]);
    // front (no SMI objects) and kube-system are outside smi's scope: nothing is written there.
    assert.deepEqual([...new Set(t.resources.map((r) => r.metadata.namespace))], ['shop']);
    assert.ok(t.resources.every((r) => r.metadata.labels?.['app.kubernetes.io/managed-by'] === 'smi'));
    // Without the flag, no NetworkPolicy.
    assert.equal(fences(findTarget('istio')!.translate(model, DEFAULT_OPTIONS).resources).length, 0);
  });

  test('consul: granted TCP goes to the sidecar listener 20000; linkerd: 4143 beside the granted port, 4191 open', () => {
    const model = modelOf(text);
    const consul = byName(findTarget('consul')!.translate(model, FENCE).resources, 'shop', 'smi-fence-books');
    assert.deepEqual(consul.ingress?.map((r) => r.ports), [[{ protocol: 'TCP', port: 20000 }, { protocol: 'UDP', port: 53 }], [{ protocol: 'TCP', port: 20000 }]]);
    const linkerd = findTarget('linkerd')!.translate(model, { ...FENCE, linkerdDefaultPolicy: 'deny' }).resources;
    assert.deepEqual(byName(linkerd, 'shop', 'smi-fence-books').ingress?.map((r) => r.ports), [[{ protocol: 'TCP' }, { protocol: 'TCP', port: 4143 }, { protocol: 'UDP', port: 53 }], [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 4143 }]]);
    assert.deepEqual(byName(linkerd, 'shop', 'smi-fence--default').ingress, [{ ports: [{ protocol: 'TCP', port: 4191 }] }]);
  });

  test('per-destination mode: only the named destination is fenced, with the mesh ports in its own policy', () => {
    const model = modelOf(text, 'per-destination');
    const resources = fences(findTarget('appmesh')!.translate(model, FENCE).resources);
    assert.deepEqual(resources.map((r) => `${r.metadata.namespace}/${r.metadata.name}`), ['shop/smi-fence-books']);
    assert.deepEqual((resources[0]!.spec as NetworkPolicySpec).ingress?.at(-1), { ports: [{ protocol: 'TCP', port: 9901 }] });
  });

  test('pods whose labels do not tell two identities apart are let in nowhere, with an error naming both', () => {
    // A second Deployment in front runs as another ServiceAccount with the same pod labels as web.
    const twin = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: twin, namespace: front}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: other, containers: [{name: c, image: i}]}
`;
    const model = modelOf(text + twin);
    const t = findTarget('istio')!.translate(model, FENCE);
    // Only admin is let in (by its own TrafficTarget); web's pods cannot be told from other's.
    assert.deepEqual(byName(t.resources, 'shop', 'smi-fence-books').ingress?.flatMap((r) => r.from?.map((f) => f.podSelector?.matchLabels)), [{ app: 'admin' }]);
    const d = t.diagnostics.find((x) => x.code === 'FENCE_SOURCE_NOT_ISOLATED');
    assert.ok(d && d.severity === 'error' && d.message.includes('front/web') && d.message.includes('front/other'), JSON.stringify(t.diagnostics));
  });

  test('--enforcement audit: the fence is not written, and that is an error', () => {
    const t = findTarget('istio')!.translate(modelOf(text), { ...FENCE, enforcement: 'audit' });
    assert.equal(fences(t.resources).length, 0);
    assert.ok(t.diagnostics.some((d) => d.code === 'FENCE_IN_AUDIT' && d.severity === 'error'));
  });

  test('the controller may write NetworkPolicies only when fenced', () => {
    const istio = findTarget('istio')!;
    assert.ok(istio.writesWith!(FENCE).includes('networking.k8s.io/v1/NetworkPolicy'));
    assert.ok(!istio.writesWith!(DEFAULT_OPTIONS).includes('networking.k8s.io/v1/NetworkPolicy'));
    assert.equal(findTarget('cilium')!.fence, undefined);
  });
});

describe('fence: what mesh + fence decide', () => {
  const model = modelOf(text);
  const context = { inventory: model.inventory };
  const books = model.inventory.workloads.find((w) => w.name === 'books')!;
  for (const mesh of ['istio', 'linkerd', 'consul', 'appmesh', 'gateway-api']) {
    test(`${mesh}: UDP is enforced with the fence (granted caller and port only) and not without`, () => {
      const target = findTarget(mesh)!;
      const fenced = target.translate(model, FENCE).resources;
      const bare = target.translate(model, DEFAULT_OPTIONS).resources;
      const ask = (resources: readonly MeshResource[], options: TranslateOptions, from: string, port: number) =>
        target.evaluateAccess(resources, books, l4Request(from, 'shop/books', 'udp', port), options, context);
      assert.deepEqual([ask(fenced, FENCE, 'front/web', 53).allowed, decide(model, l4Request('front/web', 'shop/books', 'udp', 53)).allowed], [true, true]);
      for (const [from, port] of [['front/admin', 53], ['front/web', 54]] as const) {
        const withFence = ask(fenced, FENCE, from, port);
        assert.deepEqual([withFence.allowed, withFence.enforced], [false, true], `${from} UDP ${port}: ${withFence.reasons.join('; ')}`);
        assert.equal(decide(model, l4Request(from, 'shop/books', 'udp', port)).allowed, false);
        assert.equal(ask(bare, DEFAULT_OPTIONS, from, port).enforced, false, 'the mesh alone does not see UDP');
      }
    });
  }

  test('gateway-api without authorization: callers SMI names nothing for are stopped at L4; route-level stays unenforced', () => {
    const target = findTarget('gateway-api')!;
    const resources = target.translate(model, FENCE).resources;
    const guest = target.evaluateAccess(resources, books, httpRequest('front/guest', 'shop/books', 'GET', '/books', { port: 8080 }), FENCE, context);
    assert.deepEqual([guest.allowed, guest.enforced], [false, true]);
    const post = target.evaluateAccess(resources, books, httpRequest('front/web', 'shop/books', 'POST', '/books', { port: 8080 }), FENCE, context);
    assert.deepEqual([post.allowed, post.enforced], [true, false], 'L4 cannot see the method');
  });

  test('an unauthenticated caller reaches only the mesh ports', () => {
    const target = findTarget('istio')!;
    const resources = target.translate(model, FENCE).resources;
    const r = target.evaluateAccess(resources, books, { source: 'unauthenticated', destination: { namespace: 'shop', name: 'books' }, protocol: 'udp', port: 53 }, FENCE, context);
    assert.deepEqual([r.allowed, r.enforced], [false, true]);
  });
});

describe('NetworkPolicy evaluator: the rules of the Kubernetes documentation', () => {
  const pod: Workload = { kind: 'Pod', namespace: 'n', name: 'p', labels: { app: 'db' }, serviceAccount: 'db', ports: [{ port: 5432, protocol: 'TCP', name: 'pg' }] };
  const np = (spec: NetworkPolicySpec, namespace = 'n'): MeshResource => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace }, spec });
  const peer = (namespace: string, labels: Record<string, string>, namespaceLabels: Record<string, string> = {}) => ({ namespace, labels, namespaceLabels });
  const decideOn = (spec: NetworkPolicySpec, from: ReturnType<typeof peer>[] | undefined, port = 5432, protocol: 'TCP' | 'UDP' = 'TCP', namespace = 'n') =>
    evaluateNetworkPolicies([np(spec, namespace)], pod, { protocol, port, ...(from ? { from } : {}) }).allowed;

  test('no selecting policy, or one for Egress only, or in another namespace: not isolated', () => {
    assert.equal(decideOn({ podSelector: { matchLabels: { app: 'web' } }, ingress: [] }, []), true);
    assert.equal(decideOn({ podSelector: {}, policyTypes: ['Egress'] }, []), true);
    assert.equal(decideOn({ podSelector: {}, ingress: [] }, [], 5432, 'TCP', 'other'), true);
  });

  test('isolated with no rules (policyTypes omitted implies Ingress): everything denied', () => {
    assert.equal(decideOn({ podSelector: {} }, [peer('n', { app: 'web' })]), false);
  });

  test('an empty rule admits everyone; from without ports admits every port', () => {
    assert.equal(decideOn({ podSelector: {}, ingress: [{}] }, undefined, 1), true);
    assert.equal(decideOn({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }, [peer('n', { app: 'web' })], 9), true);
  });

  test('podSelector alone is the policy namespace; namespaceSelector with podSelector is AND; separate peers are OR', () => {
    const podOnly: NetworkPolicySpec = { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] };
    assert.equal(decideOn(podOnly, [peer('n', { app: 'web' })]), true);
    assert.equal(decideOn(podOnly, [peer('m', { app: 'web' })]), false);
    const and: NetworkPolicySpec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] }] };
    assert.equal(decideOn(and, [peer('m', { app: 'web' }, { team: 'a' })]), true);
    assert.equal(decideOn(and, [peer('m', { app: 'api' }, { team: 'a' })]), false);
    const or: NetworkPolicySpec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }] };
    assert.equal(decideOn(or, [peer('m', { app: 'api' }, { team: 'a' })]), true);
    // kubernetes.io/metadata.name is on every namespace.
    assert.equal(decideOn({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'm' } } }] }] }, [peer('m', {})]), true);
  });

  test('ports: protocol defaults to TCP, endPort ranges, names refer to the pod\'s container ports', () => {
    const range: NetworkPolicySpec = { podSelector: {}, ingress: [{ ports: [{ port: 5000, endPort: 6000 }] }] };
    assert.equal(decideOn(range, [], 5432), true);
    assert.equal(decideOn(range, [], 6001), false);
    assert.equal(decideOn(range, [], 5432, 'UDP'), false);
    assert.equal(decideOn({ podSelector: {}, ingress: [{ ports: [{ port: 'pg' }] }] }, [], 5432), true);
    assert.equal(decideOn({ podSelector: {}, ingress: [{ ports: [{ port: 'pg' }] }] }, [], 5433), false);
    assert.equal(decideOn({ podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] }, [], 53, 'UDP'), true);
  });

  test('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
    const sel = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values?: string[]): NetworkPolicySpec =>
      ({ podSelector: { matchExpressions: [{ key: 'app', operator, ...(values ? { values } : {}) }] }, ingress: [] });
    assert.equal(decideOn(sel('In', ['db']), []), false, 'selected: isolated');
    assert.equal(decideOn(sel('NotIn', ['db']), []), true);
    assert.equal(decideOn(sel('Exists'), []), false);
    assert.equal(decideOn(sel('DoesNotExist'), []), true);
  });

  test('a peer by ipBlock is never taken to be a known pod', () => {
    assert.equal(decideOn({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }, [peer('n', {})]), false);
  });
});

describe('fence: the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-fence-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, text);

  test('translate --fence networkpolicy writes NetworkPolicies; refused for cilium and with audit (exit 2)', async () => {
    const run = await runCli(['translate', '-f', file, '--mesh', 'istio', '--fence', 'networkpolicy']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(parseAllDocuments(run.stdout).some((d) => (d.toJS() as MeshResource).kind === 'NetworkPolicy'));
    const cilium = await runCli(['translate', '-f', file, '--mesh', 'cilium', '--fence', 'networkpolicy']);
    assert.equal(cilium.code, 2);
    assert.match(cilium.stderr, /cilium enforces in the datapath/);
    const audit = await runCli(['translate', '-f', file, '--mesh', 'istio', '--fence', 'networkpolicy', '--enforcement', 'audit']);
    assert.equal(audit.code, 2);
  });

  test('install --fence: the controller\'s role grants NetworkPolicies, and only then; its arguments carry the flag', async () => {
    const rules = async (...extra: string[]) => {
      const run = await runCli(['install', '--mesh', 'istio', '--webhook', 'none', ...extra, '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const objects = JSON.parse(run.stdout) as { kind: string; rules?: { apiGroups: string[]; resources: string[] }[]; spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } }[] | { items: unknown[] };
      const list = (Array.isArray(objects) ? objects : objects.items) as { kind: string; rules?: { apiGroups: string[]; resources: string[] }[]; spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } }[];
      const granted = list.filter((o) => o.kind === 'ClusterRole').flatMap((o) => o.rules ?? []).some((r) => r.apiGroups.includes('networking.k8s.io') && r.resources.includes('networkpolicies'));
      const args = list.filter((o) => o.kind === 'Deployment').flatMap((o) => o.spec?.template?.spec?.containers?.flatMap((c) => c.args ?? []) ?? []);
      return { granted, fenced: args.join(' ').includes('--fence networkpolicy') };
    };
    assert.deepEqual(await rules('--fence', 'networkpolicy'), { granted: true, fenced: true });
    assert.deepEqual(await rules(), { granted: false, fenced: false });
  });

  test('check --fence: UDP from a caller SMI does not grant is denied on the mesh, not "not enforced"', async () => {
    const args = ['check', '-f', file, '--from', 'front/guest', '--to', 'shop/books', '--protocol', 'udp', '--port', '53', '--mesh', 'istio'];
    const bare = await runCli(args);
    assert.match(bare.stdout, /not enforced by the mesh/);
    const fenced = await runCli([...args, '--fence', 'networkpolicy', '-o', 'json']);
    assert.equal(fenced.code, 1, fenced.stderr);
    const out = JSON.parse(fenced.stdout) as { allowed: boolean; workloads: { enforced: boolean; reasons: string[] }[] };
    assert.equal(out.allowed, false);
    assert.ok(out.workloads.every((w) => w.enforced && w.reasons.some((r) => r.startsWith('fence:'))), fenced.stdout);
  });

  test('diff --fence: istio fenced agrees with cilium on UDP', async () => {
    const udpRows = async (...extra: string[]) => {
      const run = await runCli(['diff', '-f', file, '--mesh', 'istio', '--mesh', 'cilium', ...extra, '-o', 'json']);
      return (JSON.parse(run.stdout) as { access: { request: string }[] }).access.filter((d) => d.request.endsWith(' udp')).length;
    };
    assert.ok(await udpRows() >= 10, 'without the fence, istio lets UDP through');
    assert.equal(await udpRows('--fence', 'networkpolicy'), 0);
  });
});

describe('fence: pods as a cluster dump holds them (per-rollout labels Cilium leaves out of identities)', () => {
  // Two ReplicaSets' pods with the same app label, running as different ServiceAccounts: only
  // pod-template-hash tells them apart, and Cilium (as the CNI enforcing the fence) never sees it.
  const pod = (name: string, sa: string, hash: string, ports: number[]) => `
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: books, pod-template-hash: ${hash}}}
spec: {serviceAccountName: ${sa}, containers: [{name: c, image: i, ports: [${ports.map((p) => `{containerPort: ${p}}`).join(', ')}]}]}
`;
  const input = pod('books-6d4cf56db6-abcde', 'books', '6d4cf56db6', [8080]) + pod('books-canary-7f9c8b5d4-fghij', 'canary', '7f9c8b5d4', [8080]) + deploymentYaml('front', 'web', 'web', [80]) + deploymentYaml('front', 'admin', 'admin', [80]) + policyText;

  for (const mode of ['strict', 'per-destination'] as const) {
    test(`${mode}: no selector names a label Cilium drops; the clash is reported instead of hidden`, () => {
      const model = modelOf(input, mode);
      const t = findTarget('istio')!.translate(model, FENCE);
      const selectors = fences(t.resources).map((r) => JSON.stringify((r.spec as NetworkPolicySpec).podSelector) + JSON.stringify((r.spec as NetworkPolicySpec).ingress ?? []));
      if (mode === 'strict') assert.ok(selectors.length > 0, 'strict: the namespace default at least');
      for (const s of selectors) assert.ok(!s.includes('pod-template-hash'), s);
      assert.ok(t.diagnostics.some((d) => d.code === (mode === 'strict' ? 'FENCE_DESTINATION_NOT_ISOLATED' : 'FENCE_DESTINATION_NOT_ENFORCED')), JSON.stringify(t.diagnostics.map((d) => d.code)));
    });
  }

  test('the evaluator judges pods by the labels Cilium keeps: a selector on pod-template-hash matches no pod', () => {
    const books: Workload = { kind: 'Pod', namespace: 'shop', name: 'b', labels: { app: 'books', 'pod-template-hash': 'h1' }, serviceAccount: 'books', ports: [] };
    const policy: MeshResource = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: { matchLabels: { 'pod-template-hash': 'h1' } }, policyTypes: ['Ingress'], ingress: [] } };
    assert.equal(evaluateNetworkPolicies([policy], books, { protocol: 'UDP', port: 53 }).isolated, false);
    const byApp = { ...policy, spec: { ...(policy.spec as object), podSelector: { matchLabels: { app: 'books' } } } };
    assert.equal(evaluateNetworkPolicies([byApp], books, { protocol: 'UDP', port: 53 }).isolated, true);
  });
});
