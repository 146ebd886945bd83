/**
 * Every target's output, accepted by a real kube-apiserver holding that mesh's real CRDs: structural
 * schemas, defaulting and the CEL rules (x-kubernetes-validations) the unit tests' schema checker does
 * not run. `kubectl apply --dry-run=server` for the translation of every example, every field input
 * and a sample of random worlds, on every mesh.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { toYamlStream } from '../../src/api/yaml-write.js';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { installMeshCrds, kubectlFor, tempFile, type Kubectl } from './support.js';
import { modelOf, modelOfObjects } from '../support/policy.js';
import { worlds } from '../support/worlds.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type MeshResource, type TranslateOptions } from '../../src/targets/target.js';
import type { PolicyModel } from '../../src/policy/model.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const FIELD = resolve(import.meta.dirname, '../fixtures/field');
const inputs: { name: string; model: (mode?: 'strict' | 'permissive') => PolicyModel }[] = [
  ...readdirSync(EXAMPLES).sort().map((d) => ({ name: `examples/${d}`, model: (mode: 'strict' | 'permissive' = 'strict') => modelOf(readdirSync(join(EXAMPLES, d)).sort().map((f) => readFileSync(join(EXAMPLES, d, f), 'utf8')).join('\n---\n'), mode) })),
  ...readdirSync(FIELD).sort().map((f) => ({ name: `field/${f}`, model: (mode: 'strict' | 'permissive' = 'strict') => modelOf(readFileSync(join(FIELD, f), 'utf8'), mode) })),
  ...fc.sample(worlds, { numRuns: 12, seed: 4242 }).map((w, i) => ({ name: `random world ${i}`, model: () => modelOfObjects(w.objects, w.mode) })),
];

const MESHES: { mesh: string; crds: string[]; options: TranslateOptions }[] = [
  { mesh: 'istio', crds: ['istio'], options: DEFAULT_OPTIONS },
  { mesh: 'linkerd', crds: ['linkerd', 'gateway-api'], options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' } },
  { mesh: 'gateway-api', crds: ['gateway-api', 'istio'], options: { ...DEFAULT_OPTIONS, authz: 'istio' } },
  { mesh: 'consul', crds: ['consul'], options: DEFAULT_OPTIONS },
  { mesh: 'appmesh', crds: ['appmesh'], options: DEFAULT_OPTIONS },
  { mesh: 'cilium', crds: ['cilium', 'gateway-api'], options: { ...DEFAULT_OPTIONS, ciliumMutualAuth: true } },
  // Audit rollout: Istio's dry-run policies and Linkerd's audit Servers are accepted too.
  { mesh: 'istio', crds: ['istio'], options: { ...DEFAULT_OPTIONS, enforcement: 'audit' } },
  { mesh: 'linkerd', crds: ['linkerd', 'gateway-api'], options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'audit', enforcement: 'audit' } },
  // The NetworkPolicy fence (built into Kubernetes: checked by the server's own validation).
  { mesh: 'istio', crds: ['istio'], options: { ...DEFAULT_OPTIONS, fence: 'networkpolicy' } },
  { mesh: 'consul', crds: ['consul'], options: { ...DEFAULT_OPTIONS, fence: 'networkpolicy' } },
  { mesh: 'gateway-api', crds: ['gateway-api'], options: { ...DEFAULT_OPTIONS, fence: 'networkpolicy' } },
];

describe('the real API server accepts every target\'s output (kubectl apply --dry-run=server)', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  before(async () => {
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-validation-')), controllerManager: false });
    kubectl = kubectlFor(cluster.kubeconfig);
    for (const folder of ['istio', 'linkerd', 'gateway-api', 'consul', 'appmesh', 'cilium']) await installMeshCrds(kubectl, folder);
    // Linkerd reads TCPRoute at v1alpha2, which the Gateway API CRDs it bundles still serve (the standard ones no longer do).
    const served = await kubectl('patch', 'crd', 'tcproutes.gateway.networking.k8s.io', '--type=json', '-p', '[{"op":"replace","path":"/spec/versions/1/served","value":true}]');
    assert.equal(served.code, 0, served.stderr);
  });
  after(async () => cluster?.stop());

  for (const { mesh, options } of MESHES) {
    test(`${mesh}${options.enforcement === 'audit' ? ' (--enforcement audit)' : ''}${options.fence ? ' (--fence networkpolicy)' : ''}: the examples, the field corpus and random worlds`, async () => {
      const target = TARGETS[mesh as keyof typeof TARGETS]!;
      let checked = 0;
      let fenced = 0;
      for (const input of inputs) {
        const resources: MeshResource[] = target.translate(input.model(), options).resources;
        if (resources.length === 0) continue;
        const namespaces = [...new Set(resources.map((r) => r.metadata.namespace).filter((n): n is string => n !== undefined))];
        const ns = await kubectl.input(namespaces.map((n) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })).join('---\n'), 'apply', '-f', '-');
        assert.equal(ns.code, 0, ns.stderr);
        // Written as smi writes it (YAML that kubectl, a YAML 1.1 reader, reads back unchanged).
        const file = tempFile(`${mesh}.yaml`, toYamlStream(resources));
        const r = await kubectl('apply', '--dry-run=server', '-f', file);
        assert.equal(r.code, 0, `${mesh} ${input.name}: the API server refused the translation:\n${r.stderr}`);
        checked += resources.length;
        fenced += resources.filter((x) => x.kind === 'NetworkPolicy').length;
      }
      assert.ok(checked > 20, `only ${checked} resources were checked`);
      if (options.fence) assert.ok(fenced > 10, `only ${fenced} NetworkPolicies were checked`);
    });
  }
});
