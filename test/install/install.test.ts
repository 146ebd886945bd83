/**
 * Install manifests: deploy/ is generated (never hand-edited), `kubectl kustomize deploy/` renders the
 * same objects as `smi install --mesh istio`, the real kubectl applies them to the API test server and
 * deletes them with `smi uninstall`; RBAC is least privilege; the Deployment is locked down.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { deployFiles, PROMETHEUS } from '../../src/install/deploy-files.js';
import { runCli } from '../support/cli.js';
import { KubeApiServer } from '../support/kube-api/server.js';
import { TestClient } from '../support/kube-api/client.js';
import { X509Certificate, createPrivateKey } from 'node:crypto';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const run = promisify(execFile);
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);
const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function kubectlWithInput(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn('kubectl', args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
    p.stdin.end(input);
  });
}

describe('install manifests', () => {
  test('deploy/ is exactly what the generator writes (npm run deploy:generate)', () => {
    for (const [name, text] of Object.entries(deployFiles())) assert.equal(readFileSync(join(DEPLOY, name), 'utf8'), text, `deploy/${name} is stale or hand-edited: run npm run deploy:generate`);
  });

  test('kubectl kustomize deploy/ renders the same objects as smi install --mesh istio --webhook cert-manager --metrics-prometheus-url …', async () => {
    const { stdout } = await run('kubectl', ['kustomize', DEPLOY]);
    const rendered = new Map(objects(stdout).map((o) => [key(o), o]));
    const install = await runCli(['install', '--mesh', 'istio', '--webhook', 'cert-manager', '--metrics-prometheus-url', PROMETHEUS]);
    assert.equal(install.code, 0, install.stderr);
    const printed = new Map(objects(install.stdout).map((o) => [key(o), o]));
    assert.deepEqual([...rendered.keys()].sort(), [...printed.keys()].sort());
    for (const [k, o] of printed) assert.deepEqual(rendered.get(k), o, k);
  });

  test('RBAC is least privilege: no wildcards; writes only to the mesh kinds, SMI status, Events and the Lease', async () => {
    for (const mesh of ['istio', 'linkerd', 'consul', 'appmesh']) {
      const { stdout } = await runCli(['install', '--mesh', mesh, ...(mesh === 'linkerd' ? ['--linkerd-default-policy', 'deny'] : [])]);
      const roles = objects(stdout).filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
      const rules = roles.flatMap((r) => r.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]);
      for (const r of rules) for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.notEqual(v, '*', `${mesh}: ${JSON.stringify(r)}`);
      const writes = rules.filter((r) => r.verbs.some((v) => ['create', 'update', 'patch', 'delete'].includes(v)));
      for (const r of writes) {
        const ok = r.resources.every((res) => res.endsWith('/status')) || JSON.stringify(r.resources) === '["events"]' || JSON.stringify(r.resources) === '["leases"]' || !r.apiGroups.some((g) => g.endsWith('smi-spec.io') || g === '' || g === 'apps');
        assert.ok(ok, `${mesh}: unexpected write rule ${JSON.stringify(r)}`);
      }
      const meshGroups = { istio: 'security.istio.io', linkerd: 'policy.linkerd.io', consul: 'consul.hashicorp.com', appmesh: 'appmesh.k8s.aws' }[mesh]!;
      assert.ok(writes.some((r) => r.apiGroups.includes(meshGroups)), `${mesh} may write its own kinds`);
    }
  });

  test('the metrics server reads only what it resolves: list of selectable kinds and TrafficSplits; get and Services only for a mesh told by fronting Services', async () => {
    const roleOf = async (mesh: string) => {
      const { code, stdout, stderr } = await runCli(['install', '--mesh', mesh, '--metrics-prometheus-url', PROMETHEUS]);
      assert.equal(code, 0, stderr);
      const role = objects(stdout).find((o) => o.kind === 'ClusterRole' && (o.metadata as { name: string }).name === 'smi-metrics-server')!;
      // As "verb group/resource" pairs, the way `kubectl auth can-i` asks.
      return new Set((role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)))));
    };
    const istio = await roleOf('istio');
    assert.deepEqual([...istio].sort(), ['list /namespaces', 'list /pods', 'list apps/daemonsets', 'list apps/deployments', 'list apps/statefulsets', 'list split.smi-spec.io/trafficsplits']);
    const appmesh = await roleOf('appmesh');
    for (const extra of ['get /pods', 'list /services', 'get apps/deployments']) assert.ok(appmesh.has(extra), extra);
    for (const never of ['get /secrets', 'list /secrets', 'watch /pods', 'get /namespaces']) assert.ok(!appmesh.has(never) && !istio.has(never), never);
  });

  test('the Deployment runs non-root on a read-only root filesystem, with requests and probes, leader-elected', async () => {
    const { stdout } = await runCli(['install', '--mesh', 'istio']);
    const d = objects(stdout).find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Record<string, any>[] } } } } & Obj; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = d.spec.template.spec;
    const c = pod.containers[0]!;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory);
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(c.args.includes('--leader-elect'));
  });

  test('smi install generates a CA and a serving certificate for the webhook Service, and fills every caBundle', async () => {
    const { stdout, code } = await runCli(['install', '--mesh', 'istio']);
    assert.equal(code, 0);
    const all = objects(stdout);
    const secret = all.find((o) => o.kind === 'Secret') as Obj & { data: Record<string, string> };
    const cert = new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64'));
    assert.ok(cert.checkHost('smi-webhook.smi-system.svc'));
    assert.ok(cert.checkPrivateKey(createPrivateKey(Buffer.from(secret.data['tls.key']!, 'base64'))));
    const ca = new X509Certificate(Buffer.from(secret.data['ca.crt']!, 'base64'));
    assert.ok(cert.verify(ca.publicKey), 'signed by the CA');
    const vwc = all.find((o) => o.kind === 'ValidatingWebhookConfiguration') as Obj & { webhooks: { clientConfig: { caBundle: string; service: { name: string } }; failurePolicy: string }[] };
    assert.equal(vwc.webhooks[0]!.clientConfig.caBundle, secret.data['ca.crt']);
    assert.equal(vwc.webhooks[0]!.failurePolicy, 'Fail');
    const conversions = all.filter((o) => o.kind === 'CustomResourceDefinition').map((c) => (c.spec as { conversion?: { webhook: { clientConfig: { caBundle: string } } } }).conversion).filter((c) => c !== undefined);
    assert.ok(conversions.length >= 3 && conversions.every((c) => c.webhook.clientConfig.caBundle === secret.data['ca.crt']));
    const d = all.find((o) => o.kind === 'Deployment') as Obj & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const args = d.spec.template.spec.containers[0]!.args;
    assert.ok(args.includes('--webhook-port'));
    // The container runs `smi <args>`: they must parse as a command line (the controller's options after `controller`).
    const started = await runCli([...args, '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.doesNotMatch(started.stderr, /unknown option|usage/i, started.stderr);
    assert.match(started.stderr, /nonexistent/);
    assert.ok(cert.checkHost('smi-metrics.smi-system.svc'), 'the same certificate serves the TrafficMetrics API');
    const withMetrics = objects((await runCli(['install', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '--metrics-prometheus-url', 'http://prom:9090'])).stdout);
    const apiServices = withMetrics.filter((o) => o.kind === 'APIService') as (Obj & { spec: { group: string; version: string; caBundle: string; service: { name: string } } })[];
    assert.deepEqual(apiServices.map((a) => a.spec.version).sort(), ['v1alpha1', 'v1alpha2']);
    assert.ok(apiServices.every((a) => a.spec.group === 'metrics.smi-spec.io' && a.spec.service.name === 'smi-metrics' && a.spec.caBundle));
    const server = withMetrics.find((o) => o.kind === 'Deployment' && o.metadata.name === 'smi-metrics-server') as Obj & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    assert.deepEqual(server.spec.template.spec.containers[0]!.args.slice(0, 5), ['metrics-server', '--prometheus-url', 'http://prom:9090', '--mesh', 'linkerd']);
  });

  test('the real kubectl applies the rendered base to the API test server, and deletes what smi uninstall prints', async () => {
    const server = await new KubeApiServer().start();
    // cert-manager is not part of this cluster: its two kinds, as its CRDs would register them.
    const client = new TestClient(server);
    const dir = mkdtempSync(join(tmpdir(), 'smi-install-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
    try {
      for (const [kind, plural] of [['Issuer', 'issuers'], ['Certificate', 'certificates']] as const) {
        await client.create({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.cert-manager.io` }, spec: { group: 'cert-manager.io', scope: 'Namespaced', names: { kind, plural, singular: kind.toLowerCase() }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } });
      }
      const { stdout } = await run('kubectl', ['kustomize', DEPLOY]);
      const applied = await kubectlWithInput([...base, 'apply', '-f', '-'], stdout);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /deployment\.apps\/smi-controller created/);
      assert.match(applied.stdout, /customresourcedefinition\.apiextensions\.k8s\.io\/traffictargets\.access\.smi-spec\.io created/);
      const again = await kubectlWithInput([...base, 'apply', '-f', '-'], stdout);
      assert.doesNotMatch(again.stdout, /created|configured/, 'applying twice changes nothing');
      const uninstall = await runCli(['uninstall', '--mesh', 'istio', '--webhook', 'cert-manager', '--metrics-prometheus-url', PROMETHEUS]);
      const deleted = await kubectlWithInput([...base, 'delete', '--wait=false', '-f', '-'], uninstall.stdout);
      assert.equal(deleted.code, 0, deleted.stderr);
      const left = await run('kubectl', [...base, 'get', 'crd', '-o', 'name']);
      assert.equal(left.stdout.trim().split('\n').filter((n) => n.includes('smi-spec.io')).join(''), '', 'every SMI CRD is gone (cert-manager\'s stay: smi did not install them)');
    } finally {
      await server.stop();
    }
  });
});

describe('smi uninstall removes what install wrote for the same flags', () => {
  const ids = (text: string) => objects(text).map((o) => `${String(o.kind)}/${String((o.metadata as { namespace?: string })?.namespace ?? '')}/${String((o.metadata as { name?: string })?.name)}`).sort();
  for (const webhook of ['generate', 'cert-manager', 'none']) {
    test(`--webhook ${webhook}: the same objects, by identity (nothing from cert-manager unless install wrote it)`, async () => {
      const install = await runCli(['install', '--mesh', 'istio', '--webhook', webhook]);
      const uninstall = await runCli(['uninstall', '--mesh', 'istio', '--webhook', webhook]);
      assert.equal(uninstall.code, 0, uninstall.stderr);
      assert.deepEqual(ids(uninstall.stdout), ids(install.stdout));
      if (webhook !== 'cert-manager') assert.doesNotMatch(uninstall.stdout, /cert-manager\.io/);
    });
  }
  test('its help lists the flags that change what it deletes, not the image or replicas', async () => {
    const help = (await runCli(['uninstall', '--help'])).stdout;
    assert.doesNotMatch(help, /--image|--replicas|--api-server-cidr|--allow-metrics-from/);
    assert.match(help, /--webhook/);
    assert.equal((await runCli(['uninstall', '--mesh', 'istio', '--image', 'x', '--replicas', '3'])).code, 0, 'still accepted, so a script passes the same flags to both');
  });
});
