import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { validateYaml, codes } from '../support/inputs.js';

const hrg = (matches: string) => `apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: { name: routes, namespace: ns }
spec:
  matches:
${matches}`;

const tt = (spec: string, extra = '') => `apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: t, namespace: ns }
spec:
${spec}
${extra}`;

const split = (spec: string) => `apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: { name: s, namespace: ns }
spec:
${spec}`;

describe('identifying documents', () => {
  test('unknown SMI group, kind and version each have their own code and a hint', () => {
    const r = validateYaml(`apiVersion: split.smi-spec.com/v1alpha4
kind: TrafficSplit
---
apiVersion: spilt.smi-spec.io/v1alpha4
kind: TrafficSplit
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplitt
---
apiVersion: split.smi-spec.io/v1beta1
kind: TrafficSplit
`);
    // split.smi-spec.com is not an SMI group at all: it is kept as an ordinary object.
    assert.deepEqual(codes(r.all), ['SMI_UNKNOWN_GROUP', 'SMI_UNKNOWN_KIND', 'SMI_UNKNOWN_VERSION']);
    assert.match(r.all.find((d) => d.code === 'SMI_UNKNOWN_KIND')!.message, /did you mean "TrafficSplit"/);
    assert.match(r.all.find((d) => d.code === 'SMI_UNKNOWN_GROUP')!.message, /did you mean "split.smi-spec.io"/);
    assert.equal(r.kube.length, 1);
  });

  test('documents without apiVersion or kind, and non-objects, are errors', () => {
    const r = validateYaml('kind: Service\n---\napiVersion: v1\n---\n- a\n---\n42\n');
    assert.deepEqual(codes(r.all), ['SMI_MISSING_API_VERSION', 'SMI_MISSING_KIND', 'SMI_NOT_AN_OBJECT', 'SMI_NOT_AN_OBJECT']);
  });

  test('non-SMI objects are kept for later stages, List kinds are flattened', () => {
    const r = validateYaml(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
  - apiVersion: split.smi-spec.io/v1alpha4
    kind: TrafficSplit
    metadata: { name: s, namespace: shop }
    spec: { service: web, backends: [{ service: web-v1, weight: 1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
`);
    assert.deepEqual(r.all, []);
    assert.deepEqual(r.kube.map((k) => `${k.kind}/${k.namespace}/${k.name}`), ['Service/shop/web', 'Deployment/default/d']);
    assert.equal(r.smi.length, 1);
    assert.equal(r.smi[0]!.origin.line, 7, 'a List item knows its own line');
  });
});

describe('schema problems point at the field', () => {
  test('missing, mistyped and unknown fields', () => {
    const r = validateYaml(split('  service: 3\n  backendz: []'));
    const byCode = Object.fromEntries(r.all.map((d) => [d.code, d]));
    assert.equal(byCode.SMI_WRONG_TYPE?.path, 'spec.service');
    assert.equal(byCode.SMI_WRONG_TYPE?.line, 5);
    assert.equal(byCode.SMI_UNKNOWN_FIELD?.path, 'spec.backendz');
    assert.match(byCode.SMI_UNKNOWN_FIELD!.message, /did you mean "backends"/);
    assert.equal(byCode.SMI_REQUIRED?.path, 'spec.backends');
  });

  test('names that are not DNS-1123', () => {
    const r = validateYaml(split('  service: Web_Root\n  backends: [{ service: web-v1, weight: 1 }]').replace('name: s,', 'name: Bad_Name,'));
    assert.deepEqual(codes(r.all), ['SMI_INVALID_NAME', 'SMI_INVALID_NAME']);
    assert.deepEqual(r.all.map((d) => d.path).sort(), ['metadata.name', 'spec.service']);
    assert.equal(r.valid.length, 0, 'an object with errors takes no part in policy');
  });

  test('an object without a name', () => {
    const r = validateYaml('apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\n');
    assert.deepEqual(codes(r.all), ['SMI_MISSING_NAME']);
  });
});

describe('HTTPRouteGroup', () => {
  test('duplicate match names', () => {
    const r = validateYaml(hrg('    - name: a\n    - name: a'));
    assert.deepEqual(codes(r.all), ['SMI_DUPLICATE_MATCH_NAME']);
    assert.equal(r.all[0]!.path, 'spec.matches[1].name');
  });

  for (const [pattern, offset] of [['/api(?=v2)', 4], ['(a)\\\\1', 3], ['/x(?<!y)', 2], ['a++', 1], ['(?>a)', 0], ['[z-a]', 1], ['/x(', 0]] as const) {
    test(`pathRegex ${pattern} is not RE2 and the offset says where`, () => {
      const r = validateYaml(hrg(`    - name: a\n      pathRegex: "${pattern}"`));
      assert.deepEqual(codes(r.all), ['SMI_REGEX_INVALID']);
      assert.match(r.all[0]!.message, new RegExp(`at offset ${offset}:`));
      assert.equal(r.all[0]!.line, 7);
    });
  }

  test('RE2 features that JavaScript lacks are accepted', () => {
    const r = validateYaml(hrg('    - name: a\n      pathRegex: "(?i)/api/(?P<v>v[0-9]+)\\\\z"\n      headers: { x-class: "[[:alpha:]]+" }'));
    assert.deepEqual(r.all, []);
  });

  test('header regexes are checked too, and header names must be tokens', () => {
    const r = validateYaml(hrg('    - name: a\n      headers:\n        "bad header": x\n        cookie: "(?!x)"'));
    assert.deepEqual(codes(r.all), ['SMI_HEADER_NAME_INVALID', 'SMI_REGEX_INVALID']);
    assert.equal(r.all.find((d) => d.code === 'SMI_REGEX_INVALID')!.path, 'spec.matches[0].headers.cookie');
  });

  test('methods must be HTTP methods or *', () => {
    const r = validateYaml(hrg('    - name: a\n      methods: [GET, get, FETCH]'));
    assert.deepEqual(codes(r.all), ['SMI_INVALID_METHOD', 'SMI_INVALID_METHOD']);
  });

  test('headers of neither form get a message naming both forms', () => {
    const r = validateYaml(hrg('    - name: a\n      headers: "user-agent: x"'));
    assert.deepEqual(codes(r.all), ['SMI_WRONG_TYPE']);
    assert.match(r.all[0]!.message, /map of header name to regex .* or a list of such maps/);
  });

  test('header filters do not exist in v1alpha1', () => {
    const r = validateYaml('apiVersion: specs.smi-spec.io/v1alpha1\nkind: HTTPRouteGroup\nmetadata: { name: r }\nmatches:\n  - name: a\n    headers: { a: b }\n');
    assert.deepEqual(codes(r.all), ['SMI_UNKNOWN_FIELD']);
  });
});

describe('TCPRoute and UDPRoute', () => {
  for (const kind of ['TCPRoute', 'UDPRoute']) {
    test(`${kind}: ports outside 1–65535 and duplicates`, () => {
      const r = validateYaml(`apiVersion: specs.smi-spec.io/v1alpha4\nkind: ${kind}\nmetadata: { name: p }\nspec:\n  matches:\n    ports: [0]\n---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: ${kind}\nmetadata: { name: q }\nspec:\n  matches:\n    ports: [80, 443, 80]\n`);
      assert.deepEqual(codes(r.all), ['SMI_DUPLICATE_PORT', 'SMI_PORT_RANGE']);
      assert.equal(r.all.find((d) => d.code === 'SMI_DUPLICATE_PORT')!.path, 'spec.matches.ports[2]');
    });
  }
});

describe('TrafficTarget', () => {
  const routes = hrg('    - name: metrics\n      pathRegex: /metrics');
  test('no sources, no rules, no destination', () => {
    const r = validateYaml(tt('  rules: []\n  sources: []'));
    assert.deepEqual(codes(r.all), ['SMI_REQUIRED', 'SMI_TOO_FEW_ITEMS', 'SMI_TOO_FEW_ITEMS']);
  });

  test('a rule naming a missing route group: warning, error with strict', () => {
    const text = tt('  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: nope }]\n  sources: [{ kind: ServiceAccount, name: web }]');
    assert.deepEqual(codes(validateYaml(text).all, 'warning'), ['SMI_REF_NOT_FOUND']);
    const strict = validateYaml(text, { strict: true });
    assert.deepEqual(codes(strict.all, 'error'), ['SMI_REF_NOT_FOUND']);
    assert.equal(strict.valid.length, 0);
  });

  test('a rule naming a match the group does not have is an error', () => {
    const r = validateYaml(`${routes}\n---\n${tt('  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [metrics, health] }]\n  sources: [{ kind: ServiceAccount, name: web }]')}`);
    assert.deepEqual(codes(r.all), ['SMI_MATCH_NOT_FOUND']);
    assert.equal(r.all[0]!.path, 'spec.rules[0].matches[1]');
    assert.match(r.all[0]!.message, /has no match named "health" \(it has: metrics\)/);
  });

  test('a destination in another namespace, and identities that are not ServiceAccounts', () => {
    const r = validateYaml(`${routes}\n---\n${tt('  destination: { kind: ServiceAccount, name: api, namespace: other }\n  rules: [{ kind: HTTPRouteGroup, name: routes }]\n  sources: [{ kind: User, name: web }]')}`);
    assert.deepEqual(codes(r.all), ['SMI_TT_DESTINATION_NAMESPACE', 'SMI_TT_SOURCE_KIND']);
  });

  test('v1alpha1 problems point at top-level fields as written', () => {
    const r = validateYaml(`apiVersion: access.smi-spec.io/v1alpha1
kind: TrafficTarget
metadata: { name: t }
destination: { kind: ServiceAccount, name: api, port: 8080 }
specs:
  - kind: HTTPRouteGroup
    name: nope
sources: [{ kind: ServiceAccount, name: web }]
`);
    assert.equal(r.all.length, 1);
    assert.equal(r.all[0]!.path, 'specs[0].name');
    assert.equal(r.all[0]!.line, 7);
  });
});

describe('TrafficSplit', () => {
  test('no backends', () => {
    assert.deepEqual(codes(validateYaml(split('  service: web\n  backends: []')).all), ['SMI_TOO_FEW_ITEMS']);
  });
  test('negative, non-integer and all-zero weights', () => {
    assert.deepEqual(codes(validateYaml(split('  service: web\n  backends: [{ service: a, weight: -1 }, { service: b, weight: 0.5 }]')).all), ['SMI_SPLIT_WEIGHT_INVALID', 'SMI_SPLIT_WEIGHT_NEGATIVE']);
    assert.deepEqual(codes(validateYaml(split('  service: web\n  backends: [{ service: a, weight: 0 }, { service: b, weight: 0 }]')).all), ['SMI_SPLIT_ALL_ZERO']);
  });
  test('v1alpha1 quantities: invalid and negative ones', () => {
    const r = validateYaml('apiVersion: split.smi-spec.io/v1alpha1\nkind: TrafficSplit\nmetadata: { name: s }\nspec:\n  service: web\n  backends: [{ service: a, weight: 10x }, { service: b, weight: "-100m" }, { service: c, weight: 500m }]\n');
    assert.deepEqual(codes(r.all), ['SMI_SPLIT_WEIGHT_INVALID', 'SMI_SPLIT_WEIGHT_NEGATIVE']);
  });
  test('duplicate backends and the root as a backend', () => {
    const r = validateYaml(split('  service: web\n  backends: [{ service: web, weight: 1 }, { service: a, weight: 1 }, { service: a, weight: 2 }]'));
    assert.deepEqual(codes(r.all), ['SMI_SPLIT_DUPLICATE_BACKEND', 'SMI_SPLIT_SELF_BACKEND']);
    assert.deepEqual(codes(r.all, 'warning'), ['SMI_SPLIT_SELF_BACKEND'], 'the root as a backend is read as Linkerd did, with a warning');
  });
  test('matches naming an unknown HTTPRouteGroup', () => {
    const r = validateYaml(split('  service: web\n  matches: [{ kind: HTTPRouteGroup, name: ab }]\n  backends: [{ service: a, weight: 1 }]'));
    assert.deepEqual(codes(r.all), ['SMI_REF_NOT_FOUND']);
    assert.equal(r.all[0]!.severity, 'warning');
  });
  test('two TrafficSplits on the same root: the oldest applies, the other is an error', () => {
    const r = validateYaml(`${split('  service: web\n  backends: [{ service: a, weight: 1 }]').replace('name: s,', 'name: zzz, creationTimestamp: "2024-01-01T00:00:00Z",')}
---
${split('  service: web\n  backends: [{ service: b, weight: 1 }]').replace('name: s,', 'name: aaa, creationTimestamp: "2025-01-01T00:00:00Z",')}`);
    assert.deepEqual(codes(r.all), ['SMI_SPLIT_CONFLICT']);
    assert.equal(r.all[0]!.object, 'TrafficSplit/ns/aaa');
    assert.deepEqual(r.valid.map((o) => o.name), ['zzz']);
  });
  test('the same object twice', () => {
    const one = split('  service: web\n  backends: [{ service: a, weight: 1 }]');
    assert.deepEqual(codes(validateYaml(`${one}\n---\n${one}`).all), ['SMI_DUPLICATE_OBJECT', 'SMI_SPLIT_CONFLICT']);
  });
});

describe('IdentityBinding (experimental)', () => {
  test('is accepted with a note, and exclusive schemes are checked', () => {
    const ok = validateYaml('apiVersion: access.smi-spec.io/v1alpha4\nkind: IdentityBinding\nmetadata: { name: a }\nspec:\n  schemes:\n    serviceAccount: a\n');
    assert.deepEqual(codes(ok.all), ['SMI_EXPERIMENTAL']);
    assert.equal(ok.all[0]!.severity, 'info');
    const bad = validateYaml('apiVersion: access.smi-spec.io/v1alpha4\nkind: IdentityBinding\nmetadata: { name: a }\nspec:\n  schemes:\n    serviceAccount: a\n    podLabelSelector: { matchLabels: { app: a } }\n');
    assert.deepEqual(codes(bad.all, 'error'), ['SMI_IB_EXCLUSIVE_SCHEMES']);
  });
});

test('the same Service defined twice with different content is an error, like a duplicate SMI object; the very same object twice is not', () => {
  const svc = (port: number) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: ${port}}]}\n`;
  const twice = validateYaml(svc(80) + svc(8080));
  const dup = twice.all.filter((d) => d.code === 'SMI_DUPLICATE_OBJECT');
  assert.equal(dup.length, 1);
  assert.equal(dup[0]!.severity, 'error');
  assert.match(dup[0]!.message, /Service shop\/web is defined twice with different content \(first at .*:2\)/);
  assert.deepEqual(validateYaml(svc(80) + svc(80)).all.filter((d) => d.code === 'SMI_DUPLICATE_OBJECT'), []);
});
