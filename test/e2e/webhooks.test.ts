/**
 * smi's admission and conversion webhooks called by a real kube-apiserver (clientConfig.url on
 * loopback, verified against the generated CA), seen through the real kubectl: invalid SMI refused
 * with smi's message; a v1alpha1 TrafficSplit stored and read back at every served version; a watch
 * at an old version; OSM's list-form headers accepted and kept in every version.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { kubectlFor, type Kubectl } from './support.js';
import { WebhookServer } from '../../src/webhooks/server.js';
import { generateCertificates } from '../../src/webhooks/certificates.js';
import { allCrds } from '../../src/api/crds.js';

describe('smi webhooks called by a real kube-apiserver', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let webhook: WebhookServer;
  const dir = mkdtempSync(join(tmpdir(), 'smi-e2e-webhooks-'));

  before(async () => {
    const certs = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), certs.certPem);
    writeFileSync(join(dir, 'tls.key'), certs.keyPem);
    webhook = await new WebhookServer({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), port: 0, host: '127.0.0.1' }).start();
    cluster = await startCluster({ dir: join(dir, 'cluster'), controllerManager: false });
    kubectl = kubectlFor(cluster.kubeconfig);
    const caBundle = Buffer.from(certs.caPem).toString('base64');
    const url = (path: string) => `https://127.0.0.1:${webhook.port}${path}`;
    const crds = allCrds({ conversionWebhook: { namespace: 'smi-system', name: 'smi-webhook', caBundle } }) as { spec: { conversion?: { webhook: { clientConfig: Record<string, unknown> } } } }[];
    // There is no Service in front of the webhook here: the same webhook, by URL.
    for (const crd of crds) if (crd.spec.conversion) crd.spec.conversion.webhook.clientConfig = { url: url('/convert'), caBundle };
    const vwc = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'smi' },
      webhooks: [{
        name: 'validate.smi-spec.io', clientConfig: { url: url('/validate'), caBundle }, failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'],
        rules: [{ apiGroups: ['access.smi-spec.io', 'specs.smi-spec.io', 'split.smi-spec.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] }],
      }],
    };
    const applied = await kubectl.input([...crds, vwc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }].map((o) => stringify(o)).join('---\n'), 'apply', '--server-side', '-f', '-');
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal((await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all')).code, 0);
  });
  after(async () => {
    await cluster?.stop();
    await webhook?.stop();
  });

  const apply = async (o: unknown) => {
    // The API server may still be warming a new CRD's storage (429): retry a few times.
    for (let i = 0; ; i++) {
      const r = await kubectl.input(stringify(o), 'apply', '-f', '-');
      if (r.code === 0 || !/TooManyRequests|storage is \(re\)initializing/.test(r.stderr) || i > 20) return r;
      await new Promise((res) => setTimeout(res, 500));
    }
  };

  test('an invalid TrafficSplit is refused with smi\'s message and field path', async () => {
    const r = await apply({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'bad', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'Not_A_Service', weight: 1 }] } });
    assert.notEqual(r.code, 0);
    // kubectl shows an Invalid status by its causes: smi's field path and message.
    assert.match(r.stderr, /The request is invalid: spec\.backends\[0\]\.service: service name "Not_A_Service" must consist of lower case letters/);
  });

  test('a v1alpha1 TrafficSplit is stored, and reads back at v1alpha4 converted and at v1alpha1 unchanged', async () => {
    const v1 = { apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: 'canary', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: '900m' }, { service: 'web-v2', weight: '100m' }] } };
    const r = await apply(v1);
    assert.equal(r.code, 0, r.stderr);
    const hub = JSON.parse((await kubectl('get', 'trafficsplits.v1alpha4.split.smi-spec.io', 'canary', '-n', 'shop', '-o', 'json')).stdout) as { apiVersion: string; spec: { backends: { weight: number }[] } };
    assert.equal(hub.apiVersion, 'split.smi-spec.io/v1alpha4');
    assert.deepEqual(hub.spec.backends.map((b) => b.weight), [900, 100]);
    const old = JSON.parse((await kubectl('get', 'trafficsplits.v1alpha1.split.smi-spec.io', 'canary', '-n', 'shop', '-o', 'json')).stdout) as { apiVersion: string; spec: unknown };
    assert.equal(old.apiVersion, 'split.smi-spec.io/v1alpha1');
    assert.deepEqual(old.spec, v1.spec);
  });

  test('a watch at an old version sees a change made at the new one, converted', async () => {
    const watch = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'get', 'trafficsplits.v1alpha2.split.smi-spec.io', '-n', 'shop', '-w', '--output-watch-events', '-o', 'json']);
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const r = await apply({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'later', namespace: 'shop' }, spec: { service: 'api', backends: [{ service: 'api-v1', weight: 3 }, { service: 'api-v2', weight: 1 }] } });
      assert.equal(r.code, 0, r.stderr);
      const end = Date.now() + 15_000;
      while (!out.includes('"later"') && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
      const later = out.split('\n').filter((l) => l.includes('"name":"later"') || l.includes('"name": "later"'));
      assert.ok(later.length > 0, out);
      assert.match(later[0]!, /"apiVersion": ?"split\.smi-spec\.io\/v1alpha2"/);
      assert.match(later[0]!, /"weight": ?3/);
    } finally {
      watch.kill();
    }
  });

  test('OSM\'s list-form headers: applied with smi\'s warning, kept in every version; a bad entry refused by its path', async () => {
    const headers = [{ 'user-agent': '.*-http-client/*.*' }, { 'client-app': 'bookbuyer' }];
    const osm = { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'bookstore-service-routes', namespace: 'shop' }, spec: { matches: [{ name: 'books-bought', pathRegex: '/books-bought', methods: ['GET'], headers }] } };
    const r = await apply(osm);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: .*list of maps/);
    for (const version of ['v1alpha4', 'v1alpha3', 'v1alpha2']) {
      const got = JSON.parse((await kubectl('get', `httproutegroups.${version}.specs.smi-spec.io`, 'bookstore-service-routes', '-n', 'shop', '-o', 'json')).stdout) as { spec?: { matches: { headers: unknown }[] }; matches?: { headers: unknown }[] };
      assert.deepEqual((got.spec?.matches ?? got.matches)![0]!.headers, headers, version);
    }
    const bad = await apply({ ...osm, metadata: { name: 'bad-routes', namespace: 'shop' }, spec: { matches: [{ name: 'm', headers: [{ 'user-agent': '.*' }, { cookie: '(?!x)' }] }] } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.matches\[0\]\.headers\[1\]\.cookie/);
  });
});
