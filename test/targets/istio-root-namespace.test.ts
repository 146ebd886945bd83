/**
 * Istio's root namespace: an AuthorizationPolicy there reaches every namespace (its selector matches
 * workloads anywhere; without a selector it applies mesh-wide). smi must write nothing there: not an
 * ALLOW for a destination that runs there, not a deny-by-default. The fail-open this pins down: a
 * TrafficTarget to a workload in istio-system became an ALLOW there, and any pod elsewhere with the
 * same labels then accepted the granted sources.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { decide } from '../../src/policy/decide.js';
import type { Workload } from '../../src/policy/model.js';
import { l4Request, modelOf } from '../support/policy.js';
import { validateYaml } from '../support/inputs.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { scopeOptions } from '../../src/targets/registry.js';
import { runCli } from '../support/cli.js';

// The same labels in istio-system and in an application namespace: what a root-namespace selector would catch.
const pod = (ns: string, name: string, sa: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: metrics}}
  template:
    metadata: {labels: {app: metrics}}
    spec: {serviceAccountName: ${sa}, containers: [{name: c, image: i, ports: [{containerPort: 9090}]}]}
`;
const input = (ns: string) => `${pod(ns, 'collector', 'collector')}${pod('shop', 'lookalike', 'lookalike')}${pod('shop', 'web', 'web').replace(/app: metrics/g, 'app: web')}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: shop}
spec: {}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: ${ns}}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: scrape, namespace: ${ns}}
spec:
  destination: {kind: ServiceAccount, name: collector, namespace: ${ns}}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`;

// istio-system is a system namespace: in smi's scope only when named explicitly, as here.
const explicit = (text: string, namespaces = ['istio-system', 'shop', 'mesh-root']) => resolvePolicy(validateYaml(text), { mode: 'strict', scope: scopeOptions(namespaces) });

const workload = (ns: string, name: string, sa: string): Workload => ({ kind: 'Deployment', namespace: ns, name, serviceAccount: sa, labels: { app: 'metrics' }, ports: [{ port: 9090, protocol: 'TCP' }] });

describe("Istio's root namespace", () => {
  test('by default it is outside smi\'s scope: its TrafficTarget is not enforced, and nothing is written there', () => {
    const model = modelOf(input('istio-system'));
    assert.ok(model.diagnostics.some((d) => d.code === 'SMI_OUT_OF_SCOPE' && d.object === 'TrafficTarget/istio-system/scrape'));
    const t = istio.translate(model, DEFAULT_OPTIONS);
    assert.deepEqual(t.resources.filter((r) => r.metadata.namespace === 'istio-system'), []);
  });

  test('named explicitly, a TrafficTarget to a workload there still writes nothing there, and says so as an error', () => {
    const model = explicit(input('istio-system'));
    const t = istio.translate(model, DEFAULT_OPTIONS);
    assert.deepEqual(t.resources.filter((r) => r.metadata.namespace === 'istio-system'), [], 'no policy in the root namespace');
    const error = t.diagnostics.find((d) => d.code === 'ISTIO_ROOT_NAMESPACE_NOT_ENFORCED');
    assert.equal(error?.severity, 'error');
    assert.equal(error?.object, 'TrafficTarget/istio-system/scrape');
    assert.match(error!.message, /Istio's root namespace, where an AuthorizationPolicy's selector matches workloads of every namespace/);
  });

  test('the look-alike pod in another namespace stays as SMI says: web may not reach it', () => {
    const model = explicit(input('istio-system'));
    const t = istio.translate(model, DEFAULT_OPTIONS);
    const request = l4Request('shop/web', 'shop/lookalike', 'tcp', 9090);
    assert.equal(decide(model, request).allowed, false);
    const mesh = istio.evaluateAccess(t.resources, workload('shop', 'lookalike', 'lookalike'), request, DEFAULT_OPTIONS);
    assert.equal(mesh.allowed, false, mesh.reasons.join('; '));
  });

  test('the destination itself is reported as not enforced by the evaluator, not silently allowed', () => {
    const model = explicit(input('istio-system'));
    const t = istio.translate(model, DEFAULT_OPTIONS);
    const mesh = istio.evaluateAccess(t.resources, workload('istio-system', 'collector', 'collector'), l4Request('shop/lookalike', 'istio-system/collector', 'tcp', 9090), DEFAULT_OPTIONS);
    assert.equal(mesh.enforced, false);
  });

  test('strict mode writes no deny-by-default into the root namespace, and still does elsewhere', () => {
    const t = istio.translate(explicit(input('istio-system')), DEFAULT_OPTIONS);
    const denyAll = t.resources.filter((r) => r.metadata.name === 'smi--deny-by-default').map((r) => r.metadata.namespace);
    assert.deepEqual(denyAll, ['shop']);
  });

  test('--istio-root-namespace names another root; istio-system is then an ordinary namespace', () => {
    const options = { ...DEFAULT_OPTIONS, istioRootNamespace: 'mesh-root' };
    const ordinary = istio.translate(explicit(input('istio-system')), options);
    assert.ok(ordinary.resources.some((r) => r.metadata.namespace === 'istio-system' && r.metadata.name === 'smi-collector'));
    const root = istio.translate(explicit(input('mesh-root')), options);
    assert.deepEqual(root.resources.filter((r) => r.metadata.namespace === 'mesh-root'), []);
    assert.ok(root.diagnostics.some((d) => d.code === 'ISTIO_ROOT_NAMESPACE_NOT_ENFORCED' && d.severity === 'error'));
  });

  test('smi translate exits 1 and names the reason; the flag is refused for meshes it does not concern', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-root-ns-'));
    const file = join(dir, 'in.yaml');
    writeFileSync(file, input('istio-system'));
    const run = await runCli(['translate', '-f', file, '--mesh', 'istio', '--scope', 'istio-system', '--scope', 'shop']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error ISTIO_ROOT_NAMESPACE_NOT_ENFORCED/);
    assert.doesNotMatch(run.stdout, /namespace: istio-system/);
    const usage = await runCli(['translate', '-f', file, '--mesh', 'linkerd', '--istio-root-namespace', 'x']);
    assert.equal(usage.code, 2);
  });
});
