/**
 * End to end: the API test server calls smi's webhooks as kube-apiserver does, and the real kubectl
 * sees the result — an invalid TrafficSplit is refused with smi's message; a v1alpha1 TrafficSplit
 * is stored (as v1alpha4) and reads back both as v1alpha4 and, unchanged, as v1alpha1; OSM's
 * list-form header filters apply, read back in every version, and are validated entry by entry.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { KubeApiServer } from '../support/kube-api/server.js';
import { TestClient, type K8sObject } from '../support/kube-api/client.js';
import { WebhookServer } from '../../src/webhooks/server.js';
import { generateCertificates } from '../../src/webhooks/certificates.js';
import { allCrds } from '../../src/api/crds.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'smi-webhook-e2e-'));

describe('webhooks end to end with kubectl', () => {
  let api: KubeApiServer;
  let webhook: WebhookServer;
  let kubeconfig: string;
  const kubectl = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${Date.now()}`), ...args], { timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };
  const file = (name: string, o: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, stringify(o));
    return path;
  };

  before(async () => {
    const certs = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), certs.certPem);
    writeFileSync(join(dir, 'tls.key'), certs.keyPem);
    webhook = await new WebhookServer({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), port: 0, host: '127.0.0.1' }).start();
    api = await new KubeApiServer().start();
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig());
    const client = new TestClient(api);
    const caBundle = Buffer.from(certs.caPem).toString('base64');
    const url = (path: string) => `https://127.0.0.1:${webhook.port}${path}`;
    for (const crd of allCrds({ conversionWebhook: { namespace: 'smi-system', name: 'smi-webhook', caBundle } }) as K8sObject[]) {
      const conversion = (crd.spec as { conversion?: { webhook: { clientConfig: Record<string, unknown> } } }).conversion;
      // There is no Service to resolve here: the same webhook, by URL.
      if (conversion) conversion.webhook.clientConfig = { url: url('/convert'), caBundle };
      await client.create(crd);
    }
    await client.create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'smi' },
      webhooks: [{
        name: 'validate.smi-spec.io', clientConfig: { url: url('/validate'), caBundle }, failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'],
        rules: [{ apiGroups: ['access.smi-spec.io', 'specs.smi-spec.io', 'split.smi-spec.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] }],
      }],
    } as K8sObject);
    await client.ensureNamespace('shop');
  });
  after(async () => {
    await api?.stop();
    await webhook?.stop();
  });

  test('an invalid TrafficSplit is refused with smi\'s message', async () => {
    const bad = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'bad', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'Not_A_Service', weight: 1 }] } };
    const r = await kubectl('apply', '-f', file('bad.yaml', bad));
    assert.notEqual(r.code, 0);
    // As with kube-apiserver: the webhook's Invalid status, which kubectl shows by its causes.
    assert.match(r.stderr, /The request is invalid: spec\.backends\[0\]\.service: service name "Not_A_Service"/);
    assert.match((await kubectl('get', 'ts', 'bad', '-n', 'shop')).stderr, /not found/);
  });

  test('a v1alpha1 TrafficSplit applies, and reads back as v1alpha4 and as v1alpha1', async () => {
    const v1 = { apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: 'canary', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: '900m' }, { service: 'web-v2', weight: '100m' }] } };
    const applied = await kubectl('apply', '-f', file('v1.yaml', v1));
    assert.equal(applied.code, 0, applied.stderr);
    const hub = JSON.parse((await kubectl('get', 'trafficsplits.v1alpha4.split.smi-spec.io', 'canary', '-n', 'shop', '-o', 'json')).stdout) as { apiVersion: string; spec: { backends: { weight: number }[] } };
    assert.equal(hub.apiVersion, 'split.smi-spec.io/v1alpha4');
    assert.deepEqual(hub.spec.backends.map((b) => b.weight), [900, 100]);
    const old = JSON.parse((await kubectl('get', 'trafficsplits.v1alpha1.split.smi-spec.io', 'canary', '-n', 'shop', '-o', 'json')).stdout) as { apiVersion: string; spec: unknown };
    assert.equal(old.apiVersion, 'split.smi-spec.io/v1alpha1');
    assert.deepEqual(old.spec, v1.spec);
    const again = await kubectl('apply', '-f', file('v1.yaml', v1));
    assert.match(again.stdout, /unchanged/, 'the stored object is the same whatever version it is read in');
  });

  test('OSM\'s list-form headers: applied with a warning, read back in every version, bad entries refused by path', async () => {
    const headers = [{ 'user-agent': '.*-http-client/*.*' }, { 'client-app': 'bookbuyer' }];
    const osm = { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'bookstore-service-routes', namespace: 'shop' }, spec: { matches: [{ name: 'books-bought', pathRegex: '/books-bought', methods: ['GET'], headers }] } };
    const applied = await kubectl('apply', '-f', file('osm.yaml', osm));
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /Warning: .*list of maps/, 'the webhook\'s warning reaches kubectl');
    for (const version of ['v1alpha4', 'v1alpha3', 'v1alpha2']) {
      const got = JSON.parse((await kubectl('get', `httproutegroups.${version}.specs.smi-spec.io`, 'bookstore-service-routes', '-n', 'shop', '-o', 'json')).stdout) as { apiVersion: string; spec?: { matches: { headers: unknown }[] }; matches?: { headers: unknown }[] };
      assert.equal(got.apiVersion, `specs.smi-spec.io/${version}`);
      assert.deepEqual((got.spec?.matches ?? got.matches)![0]!.headers, headers, `${version} keeps the list form`);
    }
    const bad = { ...osm, metadata: { ...osm.metadata, name: 'bad-routes' }, spec: { matches: [{ name: 'm', headers: [{ 'user-agent': '.*' }, { cookie: '(?!x)' }] }] } };
    const refused = await kubectl('apply', '-f', file('osm-bad.yaml', bad));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /The request is invalid: spec\.matches\[0\]\.headers\[1\]\.cookie: the regex for header "cookie" is not valid RE2/);
  });
});
