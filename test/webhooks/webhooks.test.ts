/**
 * The admission and conversion webhooks over real HTTPS: allowed and denied reviews for each kind,
 * conversion between every pair of versions as a property (a round trip through the webhook gives
 * the object back), malformed and oversized bodies, certificate rotation while requests flow, and
 * 200 concurrent reviews.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:https';
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { WebhookServer } from '../../src/webhooks/server.js';
import { generateCertificates, type GeneratedCertificates } from '../../src/webhooks/certificates.js';
import type { ClusterView } from '../../src/webhooks/admission.js';
import { KINDS } from '../../src/api/registry.js';
import { objectOf } from '../support/arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'smi-webhook-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');

function post(port: number, path: string, body: unknown, ca: string | string[], raw?: string): Promise<{ status: number; body: Record<string, unknown>; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const data = raw ?? JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'localhost', agent: new Agent({ keepAlive: false, ca }), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = (res.socket as unknown as { getPeerCertificate(): { fingerprint256: string } }).getPeerCertificate().fingerprint256;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, fingerprint }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const review = (object: unknown, operation = 'CREATE', uid: string = randomUUID()) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid, operation, namespace: 'shop', object } });
const response = (r: { body: Record<string, unknown> }) => r.body.response as { uid: string; allowed: boolean; status?: { message: string; details?: { causes: { field: string }[] } }; warnings?: string[] };

const VALID: Record<string, unknown>[] = [
  { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'shop' }, spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'TCPRoute', name: 'any' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] } },
  { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'g', namespace: 'shop' }, spec: { matches: [{ name: 'm', pathRegex: '/api', methods: ['GET'] }] } },
  { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'any', namespace: 'shop' }, spec: {} },
  { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: 'dns', namespace: 'shop' }, spec: { matches: { ports: [53] } } },
  { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: 1 }] } },
  { apiVersion: 'access.smi-spec.io/v1alpha4', kind: 'IdentityBinding', metadata: { name: 'i', namespace: 'shop' }, spec: { schemes: { podLabelSelector: { matchLabels: { app: 'api' } } } } },
];

describe('smi webhooks over HTTPS', () => {
  let certs: GeneratedCertificates;
  let server: WebhookServer;
  const existing: Record<string, Record<string, unknown>[]> = { TrafficSplit: [{ metadata: { name: 'other' }, spec: { service: 'taken' } }], TCPRoute: [{ metadata: { name: 'any' } }] };
  const cluster: ClusterView = { objects: (_ns, kind) => existing[kind] ?? [] };
  before(async () => {
    certs = await generateCertificates({ dnsNames: ['localhost', 'smi-webhook.smi-system.svc'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(certFile, certs.certPem);
    writeFileSync(keyFile, certs.keyPem);
    server = await new WebhookServer({ certFile, keyFile, port: 0, host: '127.0.0.1', cluster, reloadIntervalMs: 100, maxBodyBytes: 64 * 1024 }).start();
  });
  after(async () => server.stop());

  test('every kind: a valid object is allowed; deletion is always allowed', async () => {
    for (const o of VALID) {
      const r = await post(server.port, '/validate', review(o), certs.caPem);
      assert.equal(r.status, 200);
      assert.equal(response(r).allowed, true, `${String(o.kind)}: ${JSON.stringify(response(r))}`);
    }
    assert.equal(response(await post(server.port, '/validate', review(undefined, 'DELETE'), certs.caPem)).allowed, true);
  });

  test('every kind: an invalid object is denied, naming the field', async () => {
    for (const o of VALID) {
      const bad = { ...o, metadata: { ...(o.metadata as object), name: 'Not_Valid' } };
      const r = response(await post(server.port, '/validate', review(bad), certs.caPem));
      assert.equal(r.allowed, false, String(o.kind));
      assert.ok(r.status!.details!.causes.some((c) => c.field === 'metadata.name'), `${String(o.kind)}: ${JSON.stringify(r.status)}`);
    }
  });

  test('invalid objects are denied with the field path and a message to act on; the uid comes back', async () => {
    const uid = randomUUID();
    const bad = { ...VALID[1], spec: { matches: [{ name: 'm', pathRegex: '/api/(unclosed' }] } };
    const r = response(await post(server.port, '/validate', review(bad, 'CREATE', uid), certs.caPem));
    assert.equal(r.uid, uid);
    assert.equal(r.allowed, false);
    assert.match(r.status!.message, /pathRegex/);
    assert.ok(r.status!.details!.causes.some((c) => c.field.includes('matches[0].pathRegex')), JSON.stringify(r.status));
    const weights = { ...VALID[4], spec: { service: 'web', backends: [{ service: 'web-v1', weight: -1 }] } };
    assert.equal(response(await post(server.port, '/validate', review(weights), certs.caPem)).allowed, false);
  });

  test('cross-object: a second TrafficSplit on a taken root is denied; a missing route group is a warning', async () => {
    const taken = { ...VALID[4], spec: { service: 'taken', backends: [{ service: 'x', weight: 1 }] } };
    const r = response(await post(server.port, '/validate', review(taken), certs.caPem));
    assert.equal(r.allowed, false);
    assert.match(r.status!.message, /TrafficSplit shop\/other already splits Service taken/);
    const missing = { ...VALID[0], spec: { ...(VALID[0]!.spec as object), rules: [{ kind: 'HTTPRouteGroup', name: 'nope' }] } };
    const w = response(await post(server.port, '/validate', review(missing), certs.caPem));
    assert.equal(w.allowed, true);
    assert.ok(w.warnings?.some((x) => x.includes('HTTPRouteGroup shop/nope does not exist')), JSON.stringify(w));
  });

  for (const def of KINDS.filter((k) => k.crd && k.versions.length > 1)) {
    test(`${def.kind}: conversion through the webhook between every pair of versions gives the object back`, async () => {
      await fc.assert(fc.asyncProperty(fc.constantFrom(...def.versions), objectOf(def.group, def.versions[def.versions.length - 1]!.version, def.kind), async (via, object) => {
        const there = await post(server.port, '/convert', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u1', desiredAPIVersion: `${def.group}/${via.version}`, objects: [object] } }, certs.caPem);
        const out = there.body.response as { convertedObjects: Record<string, unknown>[]; result: { status: string } };
        assert.equal(out.result.status, 'Success', JSON.stringify(there.body));
        assert.equal(out.convertedObjects[0]!.apiVersion, `${def.group}/${via.version}`);
        const back = await post(server.port, '/convert', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u2', desiredAPIVersion: String(object.apiVersion), objects: out.convertedObjects } }, certs.caPem);
        const home = (back.body.response as { convertedObjects: Record<string, unknown>[] }).convertedObjects[0]!;
        const strip = (o: Record<string, unknown>) => JSON.parse(JSON.stringify({ ...o, metadata: { ...(o.metadata as object), annotations: undefined } })) as unknown;
        assert.deepEqual(strip(home), strip(object));
      }), { numRuns: 15 });
    });
  }

  test('malformed, unknown and oversized requests get a 4xx with a Status, never a crash', async () => {
    const notJson = await post(server.port, '/validate', undefined, certs.caPem, '{not json');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.kind, 'Status');
    assert.equal((await post(server.port, '/validate', { kind: 'Nope' }, certs.caPem)).status, 400);
    assert.equal((await post(server.port, '/convert', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }, certs.caPem)).status, 400);
    assert.equal((await post(server.port, '/elsewhere', {}, certs.caPem)).status, 404);
    const huge = await post(server.port, '/validate', review({ ...VALID[2], metadata: { name: 'x', annotations: { big: 'x'.repeat(100 * 1024) } } }), certs.caPem);
    assert.equal(huge.status, 413);
    assert.equal(response(await post(server.port, '/validate', review(VALID[0]), certs.caPem)).allowed, true, 'still serving');
  });

  test('200 concurrent reviews are all answered, each with its own uid and verdict', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => {
      const uid = `uid-${i}`;
      const object = i % 2 === 0 ? VALID[i % VALID.length] : { ...VALID[4], spec: { service: 'web', backends: [] } };
      return post(server.port, '/validate', review(object, 'CREATE', uid), certs.caPem).then((r) => ({ i, uid, r: response(r) }));
    }));
    for (const { i, uid, r } of results) {
      assert.equal(r.uid, uid);
      assert.equal(r.allowed, i % 2 === 0, `review ${i}`);
    }
  });

  test('certificate rotation: new files are picked up without a restart while requests keep flowing', async () => {
    const next = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const before = await post(server.port, '/validate', review(VALID[0]), certs.caPem);
    let stop = false;
    let answered = 0;
    const flowing = (async () => {
      while (!stop) {
        const r = await post(server.port, '/validate', review(VALID[0]), [certs.caPem, next.caPem]);
        assert.equal(response(r).allowed, true);
        answered++;
      }
    })();
    writeFileSync(keyFile, next.keyPem);
    writeFileSync(certFile, next.certPem);
    const expected = new X509Certificate(next.certPem).fingerprint256;
    let after = before;
    for (let i = 0; i < 100 && after.fingerprint !== expected; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await post(server.port, '/validate', review(VALID[0]), [certs.caPem, next.caPem]);
    }
    stop = true;
    await flowing;
    assert.equal(after.fingerprint, expected, 'new connections get the new certificate');
    assert.notEqual(before.fingerprint, after.fingerprint);
    assert.ok(server.certificates.reloads >= 1);
    assert.ok(answered > 0, 'requests were answered during the rotation');
    certs = next;
  });
});

test('a serving certificate within 30 days of expiry is warned about (generated ones last 365 days and nothing rotates them)', async () => {
  const { expiryWarning } = await import('../../src/webhooks/tls.js');
  const { generateCertificates: generate } = await import('../../src/webhooks/certificates.js');
  const fresh = await generate({ dnsNames: ['localhost'] });
  assert.equal(expiryWarning(Buffer.from(fresh.certPem)), undefined);
  const soon = await generate({ dnsNames: ['localhost'], days: 10 });
  assert.match(expiryWarning(Buffer.from(soon.certPem)) ?? '', /expires in (9|10) days.*--webhook cert-manager/);
  assert.match(expiryWarning(Buffer.from(soon.certPem), new Date(Date.now() + 20 * 86_400_000)) ?? '', /expired \d+ days ago/);
});
