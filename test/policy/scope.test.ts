/**
 * smi's scope: the namespaces it governs. By default those holding SMI objects or labelled
 * smi-spec.io/enforce=true, never kube-*, a mesh's control plane or smi-system; or exactly the
 * namespaces named with -n. Outside it smi decides nothing and writes nothing, on every mesh.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateYaml } from '../support/inputs.js';
import { deploymentYaml, l4Request, serviceYaml } from '../support/policy.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { decide } from '../../src/policy/decide.js';
import { explain } from '../../src/policy/explain.js';
import { describeScope } from '../../src/policy/scope.js';
import { TARGETS, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const bookstore = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');
const namespace = (name: string, labels: Record<string, string> = {}) => `\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: ${JSON.stringify(labels)}}\n`;
// What a real cluster holds beside the application: an ingress gateway, DNS, smi itself, and a team that opted in or out.
const cluster = bookstore +
  deploymentYaml('istio-system', 'istio-ingressgateway', 'istio-ingressgateway', [8080, 8443]) +
  deploymentYaml('kube-system', 'coredns', 'coredns', [53]) + serviceYaml('kube-system', 'kube-dns', 53, 'coredns') +
  serviceYaml('smi-system', 'smi-controller-metrics', 9090, 'smi-controller') + serviceYaml('istio-system', 'istio-ingressgateway', 8080) +
  deploymentYaml('smi-system', 'smi-controller', 'smi-controller', [9090]) +
  deploymentYaml('payments', 'ledger', 'ledger', [8080]) + namespace('payments', { 'smi-spec.io/enforce': 'true' }) +
  deploymentYaml('legacy', 'old', 'old', [8080]) +
  `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: dns, namespace: kube-system}
spec:
  destination: {kind: ServiceAccount, name: coredns, namespace: kube-system}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: bookbuyer, namespace: bookstore}]
`;

const model = (namespaces?: string[]) => resolvePolicy(validateYaml(cluster), { mode: 'strict', scope: scopeOptions(namespaces) });

describe('the scope', () => {
  test('derived: namespaces with SMI objects or the opt-in label; never system ones; the reasons say why', () => {
    const m = model();
    assert.deepEqual([...m.scope.namespaces].sort(), ['bookstore', 'payments']);
    assert.match(m.scope.why.get('kube-system')!, /system namespace/);
    assert.match(m.scope.why.get('legacy')!, /holds no SMI objects and is not labelled smi-spec.io\/enforce=true/);
    assert.match(m.scope.why.get('payments')!, /labelled smi-spec.io\/enforce=true/);
    assert.equal(describeScope(m.scope), 'scope: bookstore, payments; left alone: istio-system, kube-system, legacy, monitoring, smi-system');
  });

  test('an SMI object in a system namespace is reported, not enforced', () => {
    const d = model().diagnostics.find((x) => x.code === 'SMI_OUT_OF_SCOPE');
    assert.equal(d?.object, 'TrafficTarget/kube-system/dns');
    assert.match(d!.message, /kube-system is outside smi's scope \(a system namespace/);
  });

  test('labelled smi-spec.io/enforce=false, a namespace with SMI objects is left alone', () => {
    const m = resolvePolicy(validateYaml(bookstore + namespace('bookstore', { 'smi-spec.io/enforce': 'false' })), { mode: 'strict', scope: scopeOptions() });
    assert.deepEqual([...m.scope.namespaces], []);
  });

  test('named with -n: exactly those namespaces, system ones included', () => {
    const m = model(['bookstore', 'kube-system']);
    assert.deepEqual([...m.scope.namespaces].sort(), ['bookstore', 'kube-system']);
    assert.ok(m.destinations.has('kube-system/coredns'), 'the TrafficTarget in kube-system now counts');
    assert.ok(!m.scope.namespaces.has('payments'));
  });

  test('decide: outside the scope smi neither allows nor denies; it says so', () => {
    const d = decide(model(), l4Request('bookstore/bookthief', 'legacy/old', 'tcp', 8080));
    assert.equal(d.inScope, false);
    assert.match(d.reasons[0]!.message, /namespace legacy is outside smi's scope/);
    // Inside, strict mode denies what nothing grants: the opt-in namespace too.
    assert.equal(decide(model(), l4Request('bookstore/bookthief', 'payments/ledger', 'tcp', 8080)).allowed, false);
  });

  test('explain names the scope of the destination', () => {
    assert.equal(explain(model(), { namespace: 'legacy', name: 'old' }).scope.inScope, false);
    assert.match(explain(model(), { namespace: 'legacy', name: 'old' }).otherwise, /outside smi's scope/);
    assert.equal(explain(model(), { namespace: 'payments', name: 'ledger' }).scope.inScope, true);
  });
});

describe('nothing is written outside the scope, on any mesh', () => {
  const options: Record<string, TranslateOptions> = {
    istio: DEFAULT_OPTIONS,
    linkerd: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' },
    'gateway-api': { ...DEFAULT_OPTIONS, authz: 'istio' },
    consul: DEFAULT_OPTIONS,
    appmesh: DEFAULT_OPTIONS,
  };
  for (const [name, target] of Object.entries(TARGETS)) {
    test(`${name}: resources only in bookstore and payments; the opt-in namespace is locked down where the mesh needs it`, () => {
      const t = target!.translate(model(), options[name]!);
      const where = new Set(t.resources.map((r) => r.metadata.namespace));
      for (const ns of where) assert.ok(ns === 'bookstore' || ns === 'payments', `${name} wrote into ${ns}`);
      // Consul's strict mode in one Consul namespace: one deny-all per service in scope, never a "*" destination.
      assert.ok(!t.resources.some((r) => (r.spec as { destination?: { name?: string } } | undefined)?.destination?.name === '*' && !options[name]!.consulNamespaces), `${name} wrote a wildcard destination`);
    });
  }
  test('istio: deny-by-default in bookstore and payments only', () => {
    const t = TARGETS.istio!.translate(model(), DEFAULT_OPTIONS);
    assert.deepEqual(t.resources.filter((r) => r.metadata.name === 'smi--deny-by-default').map((r) => r.metadata.namespace).sort(), ['bookstore', 'payments']);
  });
});

describe('the CLI', () => {
  test('translate prints the scope; -n names it exactly', async () => {
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio']);
    assert.match(run.stderr, /^scope: bookstore; left alone: monitoring$/m);
    assert.match(run.stdout, /namespace: bookstore/);
    const named = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--scope', 'monitoring']);
    assert.match(named.stderr, /^scope \(named with -n\): monitoring; left alone: bookstore$/m);
    assert.match(named.stderr, /warning SMI_OUT_OF_SCOPE: namespace bookstore is outside smi's scope \(not among the namespaces named with -n\)/);
    assert.doesNotMatch(named.stdout, /namespace: bookstore/);
  });

  test('explain shows whether the destination is governed', async () => {
    const run = await runCli(['explain', '-f', BOOKSTORE, '--to', 'monitoring/prometheus']);
    assert.match(run.stdout, /Scope: +outside smi's scope \(holds no SMI objects/);
  });
});
