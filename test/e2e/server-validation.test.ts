/**
 * Every registered target's output, in every shape it can write, accepted by a real kube-apiserver
 * holding the meshes' real CRDs: structural schemas, defaulting and the CEL rules
 * (x-kubernetes-validations) the unit tests' schema checker does not run. `kubectl apply
 * --dry-run=server` of the translations of every example, every field input, every conformance case
 * and a sample of random worlds, for each variant of each target in the registry
 * (test/conformance/catalogue.ts): a new mesh is checked here by being registered.
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
import { TARGETS, targetNames } from '../../src/targets/registry.js';
import type { MeshResource } from '../../src/targets/target.js';
import type { PolicyModel } from '../../src/policy/model.js';
import '../conformance/cases.js';
import { registeredCases, targetVariants } from '../conformance/catalogue.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const FIELD = resolve(import.meta.dirname, '../fixtures/field');
const CRDS = resolve(import.meta.dirname, '../reference/crds');
const inputs: { name: string; model: () => PolicyModel }[] = [
  ...readdirSync(EXAMPLES).sort().map((d) => ({ name: `examples/${d}`, model: () => modelOf(readdirSync(join(EXAMPLES, d)).sort().map((f) => readFileSync(join(EXAMPLES, d, f), 'utf8')).join('\n---\n')) })),
  ...readdirSync(FIELD).sort().map((f) => ({ name: `field/${f}`, model: () => modelOf(readFileSync(join(FIELD, f), 'utf8')) })),
  ...registeredCases().map((c) => ({ name: `conformance case "${c.name}"`, model: () => modelOf(c.yaml) })),
  ...fc.sample(worlds, { numRuns: 12, seed: 4242 }).map((w, i) => ({ name: `random world ${i}`, model: () => modelOfObjects(w.objects, w.mode) })),
];

describe('the real API server accepts every target\'s output (kubectl apply --dry-run=server)', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  before(async () => {
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-validation-')), controllerManager: false });
    kubectl = kubectlFor(cluster.kubeconfig);
    for (const folder of readdirSync(CRDS).sort()) await installMeshCrds(kubectl, folder);
    // Linkerd reads TCPRoute at v1alpha2, which the Gateway API CRDs it bundles still serve (the standard ones no longer do).
    const served = await kubectl('patch', 'crd', 'tcproutes.gateway.networking.k8s.io', '--type=json', '-p', '[{"op":"replace","path":"/spec/versions/1/served","value":true}]');
    assert.equal(served.code, 0, served.stderr);
  });
  after(async () => cluster?.stop());

  test('the API server the tests build reports its release as Kubernetes\' own build does: kubectl version parses it', async () => {
    const run = await kubectl('version', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const server = (JSON.parse(run.stdout) as { serverVersion: { gitVersion: string; major: string; minor: string; gitTreeState: string; buildDate: string } }).serverVersion;
    const pinned = /k8s\.io\/kubernetes (v[\w.-]+)/.exec(readFileSync(resolve(import.meta.dirname, '../cluster/servers/go.mod'), 'utf8'))![1]!;
    assert.deepEqual([server.gitVersion, `v${server.major}.${server.minor}`, server.gitTreeState], [pinned, pinned.split('.').slice(0, 2).join('.'), 'clean']);
    assert.match(server.buildDate, /^\d{4}-\d\d-\d\dT/);
    assert.doesNotMatch(run.stderr, /could not parse|Format/);
  });

  /** One dry run of everything (kubectl starts once); when it is refused, each input alone, to name the one refused. */
  async function dryRun(label: string, translations: { name: string; resources: MeshResource[] }[]): Promise<void> {
    const all = translations.flatMap((t) => t.resources);
    const namespaces = [...new Set(all.map((r) => r.metadata.namespace).filter((n): n is string => n !== undefined))];
    const ns = await kubectl.input(namespaces.map((n) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })).join('---\n'), 'apply', '-f', '-');
    assert.equal(ns.code, 0, ns.stderr);
    // Written as smi writes it (YAML that kubectl, a YAML 1.1 reader, reads back unchanged).
    const whole = await kubectl('apply', '--dry-run=server', '-f', tempFile('all.yaml', toYamlStream(all)));
    if (whole.code === 0) return;
    for (const t of translations) {
      const r = await kubectl('apply', '--dry-run=server', '-f', tempFile('one.yaml', toYamlStream(t.resources)));
      assert.equal(r.code, 0, `${label} ${t.name}: the API server refused the translation:\n${r.stderr}`);
    }
    assert.fail(`${label}: the API server refused the translations together, and none alone:\n${whole.stderr}`);
  }

  for (const name of targetNames()) {
    const target = TARGETS[name]!;
    for (const { label, options } of targetVariants(target, { everyOutput: true })) {
      test(`${label}: the examples, the field corpus, the conformance cases and random worlds`, async () => {
        const translations = inputs.map((input) => ({ name: input.name, resources: target.translate(input.model(), options).resources })).filter((t) => t.resources.length > 0);
        await dryRun(label, translations);
        const checked = translations.reduce((n, t) => n + t.resources.length, 0);
        assert.ok(checked > 20, `only ${checked} resources were checked`);
        const fenced = translations.reduce((n, t) => n + t.resources.filter((x) => x.kind === 'NetworkPolicy').length, 0);
        if (options.fence) assert.ok(fenced > 10, `only ${fenced} NetworkPolicies were checked`);
      });
    }
  }
});
