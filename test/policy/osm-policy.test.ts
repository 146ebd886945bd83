/**
 * OSM's IngressBackend and Egress (policy.openservicemesh.io/v1alpha1), as clusters leaving OSM hold
 * them: an IngressBackend's grant joins the policy where it can be said by identity, never reaching
 * further than OSM admitted; what cannot be said is an error naming it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decide } from '../../src/policy/decide.js';
import { modelOf, httpRequest, l4Request } from '../support/policy.js';
import { runCli } from '../support/cli.js';
import type { AccessMode } from '../../src/policy/model.js';

const FIELD = resolve(import.meta.dirname, '../fixtures/field/osm-ingress.yaml');
const field = readFileSync(FIELD, 'utf8');
const codes = (m: ReturnType<typeof modelOf>) => m.diagnostics.filter((d) => d.code.startsWith('OSM_')).map((d) => `${d.severity} ${d.code}`).sort();

/** One backend namespace `app` (Service web → pods running as `web`, target port 8080) locked down by a TrafficTarget, and an ingress namespace. */
function world(ingressBackend: string, extra = '', mode: AccessMode = 'strict') {
  return modelOf(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { serviceAccountName: web, containers: [{ name: web, image: web, ports: [{ containerPort: 8080, name: http }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: app }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: http }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: controller, namespace: ingress }
spec:
  selector: { matchLabels: { app: ingress } }
  template:
    metadata: { labels: { app: ingress } }
    spec: { serviceAccountName: ingress, containers: [{ name: c, image: nginx }] }
---
apiVersion: v1
kind: Service
metadata: { name: ingress, namespace: ingress }
spec: { selector: { app: ingress }, ports: [{ port: 80 }] }
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: { name: none, namespace: app }
spec: { matches: { ports: [9] } }
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: web, namespace: app }
spec:
  destination: { kind: ServiceAccount, name: web, namespace: app }
  rules: [{ kind: TCPRoute, name: none }]
  sources: [{ kind: ServiceAccount, name: other, namespace: app }]
---
apiVersion: policy.openservicemesh.io/v1alpha1
kind: IngressBackend
metadata: { name: web, namespace: app }
spec:
${ingressBackend}
${extra}`, mode);
}

const fromService = `  backends: [{ name: web, port: { number: 8080, protocol: http } }]
  sources: [{ kind: Service, namespace: ingress, name: ingress }]`;

describe('IngressBackend', () => {
  test('a Service source grants the identity behind it HTTP on the backend\'s target port, and nothing else', () => {
    const m = world(fromService);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'DELETE', '/anything', { port: 8080 })).allowed, true);
    const d = decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 }));
    assert.equal(d.reasons[0]?.target?.kind, 'IngressBackend');
    // port.number is the target port (OSM compares it with the MeshService's TargetPort), not the Service port 80
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 80 })).allowed, false);
    // OSM's ingress filter chain speaks HTTP: raw TCP is not granted
    assert.equal(decide(m, l4Request('ingress/ingress', 'app/web', 'tcp', 8080)).allowed, false);
    assert.equal(decide(m, httpRequest('app/other2', 'app/web', 'GET', '/', { port: 8080 })).allowed, false);
    assert.deepEqual(codes(m), ['warning OSM_INGRESS_NEEDS_MESH_IDENTITY']);
  });

  test('a source identity that other pods share is not granted (it would admit them too)', () => {
    const m = world(fromService, `---
apiVersion: batch/v1
kind: Job
metadata: { name: admission-patch, namespace: ingress }
spec: { template: { metadata: { labels: { job: patch } }, spec: { serviceAccountName: ingress, containers: [{ name: p, image: p }] } } }`);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, false);
    const wider = m.diagnostics.find((d) => d.code === 'OSM_INGRESS_IDENTITY_WIDER');
    assert.ok(wider);
    assert.equal(wider.severity, 'error');
    assert.match(wider.message, /Job admission-patch/);
    assert.equal(wider.path, 'spec.sources[0]');
  });

  test('a backend identity that pods outside the backend Service share is not granted either', () => {
    const m = world(fromService, `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: admin, namespace: app }
spec:
  selector: { matchLabels: { app: admin } }
  template: { metadata: { labels: { app: admin } }, spec: { serviceAccountName: web, containers: [{ name: a, image: a, ports: [{ containerPort: 8080 }] }] } }`);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, false);
    assert.match(m.diagnostics.find((d) => d.code === 'OSM_INGRESS_IDENTITY_WIDER')?.message ?? '', /Deployment admin/);
  });

  test('an authenticated principal on an https backend grants that identity', () => {
    const m = world(`  backends: [{ name: web, port: { number: 8080, protocol: https } }]
  sources: [{ kind: AuthenticatedPrincipal, name: ingress.ingress.cluster.local }]`);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/x', { port: 8080 })).allowed, true);
    assert.deepEqual(codes(m), []);
  });

  test('what cannot be said by identity is an error and grants nothing: IP ranges, any client certificate, unknown principals and Services', () => {
    const m = world(`  backends: [{ name: web, port: { number: 8080, protocol: https }, tls: { skipClientCertValidation: true } }]
  sources:
  - { kind: IPRange, name: 10.0.0.0/8 }
  - { kind: AuthenticatedPrincipal, name: ingress.nowhere.cluster.local }
  - { kind: Service, namespace: ingress, name: missing }`);
    assert.deepEqual(codes(m), ['error OSM_INGRESS_ANY_CLIENT_NOT_CARRIED', 'error OSM_INGRESS_IP_RANGE_NOT_CARRIED', 'error OSM_INGRESS_PRINCIPAL_UNKNOWN', 'error OSM_INGRESS_SOURCE_UNKNOWN']);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, false);
    assert.equal(m.destinations.get('app/web')?.targets.length, 1, 'only the TrafficTarget');
  });

  test('an http backend with a principal: OSM cannot verify it and admitted any caller; smi grants the principal only and says so', () => {
    const m = world(`  backends: [{ name: web, port: { number: 8080, protocol: http } }]
  sources: [{ kind: AuthenticatedPrincipal, name: ingress.ingress.cluster.local }]`);
    assert.deepEqual(codes(m), ['warning OSM_INGRESS_HTTP_PRINCIPAL']);
    assert.match(m.diagnostics.find((d) => d.code === 'OSM_INGRESS_HTTP_PRINCIPAL')?.message ?? '', /any caller at all/);
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, true);
    assert.equal(decide(m, httpRequest('app/other', 'app/web', 'GET', '/', { port: 8080 })).allowed, false);
  });

  test('malformed specs grant nothing and point at the field', () => {
    for (const [spec, path] of [
      ['  backends: []\n  sources: [{ kind: Service, namespace: ingress, name: ingress }]', 'spec.backends'],
      ['  backends: [{ name: web, port: { number: 0, protocol: http } }]\n  sources: [{ kind: Service, namespace: ingress, name: ingress }]', 'spec.backends[0].port.number'],
      ['  backends: [{ name: web, port: { number: 8080, protocol: grpc } }]\n  sources: [{ kind: Service, namespace: ingress, name: ingress }]', 'spec.backends[0].port.protocol'],
      ['  backends: [{ name: web, port: { number: 8080, protocol: http } }]\n  sources: [{ kind: Service, name: ingress }]', 'spec.sources[0].namespace'],
      ['  backends: [{ name: web, port: { number: 8080, protocol: http } }]\n  sources: [{ kind: Pod, name: x }]', 'spec.sources[0].kind'],
    ] as const) {
      const m = world(spec);
      const d = m.diagnostics.find((x) => x.code === 'OSM_INGRESS_BACKEND_INVALID');
      assert.equal(d?.path, path, spec);
      assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, false, spec);
    }
  });

  test('a port no Service port leads to grants nothing, as in OSM', () => {
    const m = world(`  backends: [{ name: web, port: { number: 80, protocol: http } }]
  sources: [{ kind: Service, namespace: ingress, name: ingress }]`);
    assert.ok(m.diagnostics.some((d) => d.code === 'OSM_INGRESS_PORT_UNMATCHED'));
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 80 })).allowed, false);
  });

  test('per-destination mode: an IngressBackend locks nothing down; outside the scope it is not carried', () => {
    const m = world(fromService, '', 'per-destination');
    assert.equal(decide(m, httpRequest('ingress/ingress', 'app/web', 'GET', '/', { port: 8080 })).allowed, true);
    const outside = modelOf(`${field}\n---\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: IngressBackend\nmetadata: { name: x, namespace: elsewhere }\nspec: { backends: [], sources: [] }\n`);
    const d = outside.diagnostics.find((x) => x.object === 'IngressBackend/elsewhere/x');
    assert.equal(d?.code, 'SMI_OUT_OF_SCOPE');
  });
});

describe('the OSM demo (test/fixtures/field/osm-ingress.yaml)', () => {
  test('the ingress controllers keep access; the Egress is an error naming it', () => {
    const m = modelOf(field);
    assert.equal(decide(m, httpRequest('ingress-nginx/ingress-nginx', 'httpbin/httpbin', 'POST', '/post', { port: 14001 })).allowed, true);
    assert.equal(decide(m, httpRequest('projectcontour/envoy', 'echo/echo', 'GET', '/', { port: 8080 })).allowed, true);
    assert.equal(decide(m, httpRequest('projectcontour/envoy', 'httpbin/httpbin', 'GET', '/', { port: 14001 })).allowed, false);
    const egress = m.diagnostics.find((d) => d.code === 'OSM_EGRESS_NOT_CARRIED');
    assert.equal(egress?.severity, 'error');
    assert.match(egress?.message ?? '', /curl\/curl reach httpbin\.org on port 80/);
  });

  for (const mesh of ['istio', 'linkerd', 'cilium', 'consul', 'appmesh']) {
    test(`smi translate --mesh ${mesh} shows what is not carried and exits 1`, async () => {
      const r = await runCli(['translate', '-f', FIELD, '--mesh', mesh, ...(mesh === 'linkerd' ? ['--linkerd-default-policy', 'deny'] : [])]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /osm-ingress\.yaml:\d+:1: error OSM_EGRESS_NOT_CARRIED/);
      assert.match(r.stderr, /warning OSM_INGRESS_NEEDS_MESH_IDENTITY/);
    });
  }
});
