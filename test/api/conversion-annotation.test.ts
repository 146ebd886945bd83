/**
 * The conversion annotation is a second source of policy: no edit at any served version, and no
 * annotation, may grant more than the visible object says (docs/semantics.md A9).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { convertObject, CONVERSION_ANNOTATION } from '../../src/api/convert.js';
import type { AnyObject } from '../../src/api/schema.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { scopeOptions } from '../../src/targets/registry.js';
import { decide } from '../../src/policy/decide.js';
import { admit } from '../../src/webhooks/admission.js';
import { validateYaml } from '../support/inputs.js';
import { deploymentYaml, httpRequest, l4Request } from '../support/policy.js';

const convert = (object: AnyObject, to: string): AnyObject => {
  const r = convertObject(object, to);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return structuredClone(r.value.object);
};

const inventory = deploymentYaml('shop', 'api', 'api', [8080, 9090]) + deploymentYaml('shop', 'web', 'web', [80]) + deploymentYaml('shop', 'batch', 'batch', []);
const tcpRoute = { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'all', namespace: 'shop' }, spec: {} };

/** SMI's decision on these objects (with the inventory), and the validation codes. */
function judge(objects: readonly AnyObject[], request: Parameters<typeof decide>[1]) {
  const validated = validateYaml(inventory + objects.map((o) => `---\n${stringify(o)}`).join(''));
  const model = resolvePolicy(validated, { mode: 'strict', scope: scopeOptions() });
  return { allowed: decide(model, request).allowed, codes: validated.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.severity}:${d.code}`) };
}

const review = (object: AnyObject, operation = 'UPDATE') =>
  admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation, namespace: 'shop', object } } as Parameters<typeof admit>[0]).response!;

describe('an edit at another version never drops a limit silently', () => {
  const v1alpha2 = {
    apiVersion: 'access.smi-spec.io/v1alpha2', kind: 'TrafficTarget', metadata: { name: 'web-to-api', namespace: 'shop' },
    spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop', port: 8080 }, rules: [{ kind: 'TCPRoute', name: 'all' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }, { kind: 'ServiceAccount', name: 'batch', namespace: 'shop' }] },
  };
  const stored = convert(v1alpha2, 'access.smi-spec.io/v1alpha3');
  const port9090 = l4Request('shop/web', 'shop/api', 'tcp', 9090);

  test('as stored (v1alpha3 with the annotation): port 8080 only', () => {
    assert.deepEqual(judge([tcpRoute, stored], port9090), { allowed: false, codes: [] });
    assert.equal(judge([tcpRoute, stored], l4Request('shop/web', 'shop/api', 'tcp', 8080)).allowed, true);
  });

  test('kubectl edit at v1alpha3, even removing a source: refused by validation and the admission webhook, and grants nothing meanwhile', () => {
    const edited = structuredClone(stored) as AnyObject & { spec: { sources: unknown[] } };
    edited.spec.sources = edited.spec.sources.slice(0, 1);
    const j = judge([tcpRoute, edited], port9090);
    assert.equal(j.allowed, false, 'the port limit does not disappear');
    assert.deepEqual(j.codes, ['error:SMI_CONVERSION_ANNOTATION_STALE']);
    const answer = review(edited);
    assert.equal(answer.allowed, false);
    assert.match(answer.status?.message ?? '', /spec\.destination\.port \(8080\)/);
    assert.match(answer.status?.message ?? '', /remove the smi-spec\.io\/conversion-source annotation/);
    // Converted back to v1alpha2 (what a v1alpha2 reader sees), the same problem shows.
    const back = convert(edited, 'access.smi-spec.io/v1alpha2');
    assert.deepEqual(judge([tcpRoute, back], port9090).codes, ['error:SMI_CONVERSION_ANNOTATION_STALE']);
  });

  test('the edit made at v1alpha2 keeps the limit; removing the annotation in the edit drops it on purpose', () => {
    const old = convert(stored, 'access.smi-spec.io/v1alpha2') as AnyObject & { spec: { sources: unknown[] } };
    old.spec.sources = old.spec.sources.slice(0, 1);
    const again = convert(old, 'access.smi-spec.io/v1alpha3');
    assert.deepEqual(judge([tcpRoute, again], port9090), { allowed: false, codes: [] });
    assert.equal(judge([tcpRoute, again], l4Request('shop/web', 'shop/api', 'tcp', 8080)).allowed, true);

    const dropped = structuredClone(stored) as AnyObject;
    delete dropped.metadata!.annotations;
    assert.deepEqual(judge([tcpRoute, dropped], port9090), { allowed: true, codes: [] });
  });

  test('an HTTPRouteGroup read as v1alpha1 and edited there keeps its header filters', () => {
    const group = {
      apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'routes', namespace: 'shop' },
      spec: { matches: [{ name: 'admin', pathRegex: '/admin', methods: ['GET'], headers: { 'x-admin': 'yes' } }, { name: 'other', pathRegex: '/other' }] },
    };
    const target = {
      apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'web-to-api', namespace: 'shop' },
      spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'HTTPRouteGroup', name: 'routes' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] },
    };
    const admin = httpRequest('shop/web', 'shop/api', 'GET', '/admin', { port: 8080 });
    const v1 = convert(group, 'specs.smi-spec.io/v1alpha1') as AnyObject & { matches: { pathRegex?: string }[] };
    assert.equal(judge([v1 as AnyObject, target], admin).allowed, false, 'unedited: the header is still required');
    v1.matches[1]!.pathRegex = '/other/.*';
    const j = judge([v1 as AnyObject, target], admin);
    assert.equal(j.allowed, false, 'GET /admin without the header stays denied');
    assert.ok(j.codes.includes('error:SMI_CONVERSION_ANNOTATION_STALE'), JSON.stringify(j.codes));
  });
});

describe('the annotation is checked like a spec, and never grants what the object does not show', () => {
  const v1alpha1Route = (stored: unknown): AnyObject => ({
    apiVersion: 'specs.smi-spec.io/v1alpha1', kind: 'TCPRoute', metadata: { name: 'all', namespace: 'shop', annotations: { [CONVERSION_ANNOTATION]: typeof stored === 'string' ? stored : JSON.stringify(stored) } },
  });
  const target = {
    apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'web-to-api', namespace: 'shop' },
    spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'TCPRoute', name: 'all' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] },
  };
  const route = (extra: Record<string, unknown>) => ({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', ...extra });

  for (const [what, stored] of [
    ['port 0', route({ spec: { matches: { ports: [0] } } })],
    ['port 70000', route({ spec: { matches: { ports: [70000] } } })],
    ['a port range as a string', route({ spec: { matches: { ports: ['8080-9090'] } } })],
    ['port -1', route({ spec: { matches: { ports: [-1] } } })],
    ['an unknown field', route({ spec: { matches: { ports: [8080], portz: [1] } } })],
    ['spec: "boom"', route({ spec: 'boom' })],
    ['not JSON', '{"apiVersion":'],
  ] as const) {
    test(`${what}: an error (the route takes no part), and the admission webhook refuses it`, () => {
      const object = v1alpha1Route(stored);
      const j = judge([object, target], l4Request('shop/web', 'shop/api', 'tcp', 8080));
      assert.deepEqual(j.codes.filter((c) => c.startsWith('error:SMI_CONVERSION')), ['error:SMI_CONVERSION_ANNOTATION_INVALID']);
      assert.equal(j.allowed, false);
      assert.equal(review(object, 'CREATE').allowed, false);
    });
  }

  test('a valid annotation that narrows is honoured: ports [8080] behind a v1alpha1 TCPRoute', () => {
    const object = v1alpha1Route(route({ spec: { matches: { ports: [8080] } } }));
    assert.deepEqual(judge([object, target], l4Request('shop/web', 'shop/api', 'tcp', 8080)), { allowed: true, codes: [] });
    assert.equal(judge([object, target], l4Request('shop/web', 'shop/api', 'tcp', 9090)).allowed, false);
  });

  test('a UDPRoute rule only the annotation holds (behind a v1alpha2 TrafficTarget): an error, the webhook refuses it, it grants nothing', () => {
    const hub = {
      apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget',
      spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'TCPRoute', name: 'all' }, { kind: 'UDPRoute', name: 'dns' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] },
    };
    const shown = {
      apiVersion: 'access.smi-spec.io/v1alpha2', kind: 'TrafficTarget', metadata: { name: 'web-to-api', namespace: 'shop', annotations: { [CONVERSION_ANNOTATION]: JSON.stringify(hub) } },
      spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'TCPRoute', name: 'all' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }] },
    };
    const udp = { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: 'dns', namespace: 'shop' }, spec: { matches: { ports: [53] } } };
    const all = { ...tcpRoute, spec: { matches: { ports: [8080] } } };
    const j = judge([all, udp, shown], l4Request('shop/web', 'shop/api', 'udp', 53));
    assert.deepEqual(j, { allowed: false, codes: ['error:SMI_CONVERSION_ANNOTATION_HIDDEN_GRANT'] });
    assert.equal(review(shown, 'CREATE').allowed, false);
    // Conversion itself stays lossless: the stored object still holds the rule for readers at v1alpha3.
    assert.deepEqual((convert(shown, 'access.smi-spec.io/v1alpha3').spec as { rules: unknown[] }).rules, hub.spec.rules);
  });
});
