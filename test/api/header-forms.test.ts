/**
 * Header filters in both forms the field wrote: the spec's map and the list of single-entry maps that
 * OSM's and the SDK's CRDs store. One meaning everywhere: validation, decisions, conversion, and the
 * translation of every mesh.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { validateYaml, codes } from '../support/inputs.js';
import { modelOf, modelOfObjects, httpRequest } from '../support/policy.js';
import { decide } from '../../src/policy/decide.js';
import { runCli } from '../support/cli.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { worlds } from '../support/worlds.js';

const group = (headers: string) => `apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: { name: routes, namespace: shop }
spec:
  matches:
  - name: a
    pathRegex: /books
    headers:
${headers}
  - name: b
    headers:
${headers}
`;

const grant = `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: t, namespace: shop }
spec:
  destination: { kind: ServiceAccount, name: api, namespace: shop }
  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [a] }]
  sources: [{ kind: ServiceAccount, name: web, namespace: shop }]
`;

describe('header filters: validation of both forms', () => {
  test('the list form is accepted, with one warning per object naming the map form', () => {
    const r = validateYaml(group('    - "user-agent": ".*-http-client/*.*"\n    - "client-app": "bookbuyer"'));
    assert.deepEqual(codes(r.all), ['SMI_HEADERS_LIST_FORM']);
    const w = r.all[0]!;
    assert.equal(w.severity, 'warning');
    assert.equal(w.path, 'spec.matches[0].headers');
    assert.equal(w.line, 9);
    assert.match(w.message, /same meaning as the SMI spec's map form .*--normalize-headers/);
    assert.equal(r.valid.length, 1, 'a warning does not take the object out of policy');
  });

  test('the map form gets no such warning', () => {
    assert.deepEqual(validateYaml(group('      user-agent: ".*"\n      client-app: bookbuyer')).all, []);
  });

  test('problems inside a list entry point at the entry: file:line and the path with its index', () => {
    const r = validateYaml(group('    - "user-agent": ".*"\n    - "bad header": x\n    - cookie: "(?!x)"'));
    const name = r.all.find((d) => d.code === 'SMI_HEADER_NAME_INVALID')!;
    assert.equal(name.path, 'spec.matches[0].headers[1]["bad header"]');
    assert.equal(name.line, 10);
    const regex = r.all.find((d) => d.code === 'SMI_REGEX_INVALID' && d.path.startsWith('spec.matches[0]'))!;
    assert.equal(regex.path, 'spec.matches[0].headers[2].cookie');
    assert.equal(regex.line, 11);
    assert.equal(r.valid.length, 0, 'an object with errors takes no part in policy');
  });

  test('a value that is not a string is named at its entry', () => {
    const r = validateYaml(group('    - "user-agent": ".*"\n    - x-version: 2'));
    const d = r.all.find((x) => x.code === 'SMI_WRONG_TYPE')!;
    assert.equal(d.path, 'spec.matches[0].headers[1].x-version');
    assert.equal(d.line, 10);
    assert.match(d.message, /expected a string .* got number 2/);
  });

  test('a header named twice is a warning saying both regexes must match', () => {
    const r = validateYaml(group('    - x-v: "1|2"\n    - X-V: "2|3"'));
    const repeated = r.all.filter((d) => d.code === 'SMI_HEADER_REPEATED');
    assert.equal(repeated.length, 2, 'once in each match');
    assert.equal(repeated[0]!.path, 'spec.matches[0].headers[1].X-V');
    assert.match(repeated[0]!.message, /also named at headers\[0\]\.x-v: a request must match both regexes \("1\|2" and "2\|3"\)/);
  });

  test('in the map form, two spellings of one header mean the same: both must match', () => {
    const r = validateYaml(group('      x-v: "1|2"\n      X-V: "2|3"'));
    assert.deepEqual(codes(r.all), ['SMI_HEADER_REPEATED', 'SMI_HEADER_REPEATED']);
  });
});

describe('header filters: one meaning in both forms', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['every header of every entry present and matching', { 'user-agent': 'go-http-client/1.1', 'client-app': 'bookbuyer' }, true],
    ['one entry missing', { 'user-agent': 'go-http-client/1.1' }, false],
    ['one entry not matching', { 'user-agent': 'go-http-client/1.1', 'client-app': 'thief' }, false],
  ];
  for (const form of ['map', 'list'] as const) {
    const headers = form === 'map' ? '      "user-agent": ".*-http-client/*.*"\n      "client-app": "bookbuyer"' : '    - "user-agent": ".*-http-client/*.*"\n    - "client-app": "bookbuyer"';
    const model = modelOf(group(headers) + grant);
    for (const [what, sent, allowed] of cases) {
      test(`${form} form: ${what} → ${allowed ? 'ALLOW' : 'DENY'}`, () => {
        assert.equal(decide(model, httpRequest('shop/web', 'shop/api', 'GET', '/books', { headers: sent })).allowed, allowed);
      });
    }
  }

  test('a header named twice must match both regexes (AND), whatever the case of its name', () => {
    const model = modelOf(group('    - x-v: "1|2"\n    - X-V: "2|3"') + grant);
    const allowed = (v: string) => decide(model, httpRequest('shop/web', 'shop/api', 'GET', '/books', { headers: { 'x-v': v } })).allowed;
    assert.deepEqual(['1', '2', '3'].map(allowed), [false, true, false]);
  });
});

const toListForm = (objects: Record<string, unknown>[]) =>
  objects.map((o) => {
    if (o.kind !== 'HTTPRouteGroup') return o;
    const spec = o.spec as { matches: { headers?: Record<string, string> | Record<string, string>[] }[] };
    const matches = spec.matches.map((m) => (m.headers && !Array.isArray(m.headers) ? { ...m, headers: Object.entries(m.headers).map(([k, v]) => ({ [k]: v })) } : m));
    return { ...o, spec: { ...spec, matches } };
  });

describe('header filters: every mesh translates the list form as it translates the map form', () => {
  const options: Record<string, TranslateOptions> = {
    istio: DEFAULT_OPTIONS,
    linkerd: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' },
    'gateway-api': { ...DEFAULT_OPTIONS, authz: 'linkerd', linkerdDefaultPolicy: 'deny' },
    consul: DEFAULT_OPTIONS,
    appmesh: DEFAULT_OPTIONS,
  };
  for (const [name, target] of Object.entries(TARGETS)) {
    test(`${name}: random worlds, map form rewritten as a list, the same resources and diagnostics`, () => {
      let withHeaders = 0;
      fc.assert(fc.property(worlds, (world) => {
        const list = toListForm(world.objects);
        if (JSON.stringify(list) !== JSON.stringify(world.objects)) withHeaders++;
        const a = target!.translate(modelOfObjects(world.objects, world.mode), options[name]!);
        const b = target!.translate(modelOfObjects(list, world.mode), options[name]!);
        assert.equal(stringify(b.resources), stringify(a.resources));
        assert.deepEqual(b.diagnostics, a.diagnostics);
      }), { numRuns: 60 });
      assert.ok(withHeaders > 10, `too few worlds had map-form headers to rewrite: ${withHeaders}`);
    });
  }
});

describe('smi convert and header forms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-headers-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { apiVersion: string; spec?: { matches: { headers?: unknown }[] }; matches?: { headers?: unknown }[] });

  test('conversion keeps the form the user wrote, in every version that has header filters', async () => {
    const input = file('list.yaml', group('    - "user-agent": ".*"\n    - "client-app": "bookbuyer"'));
    for (const to of ['specs.smi-spec.io/v1alpha2', 'specs.smi-spec.io/v1alpha3']) {
      const run = await runCli(['convert', '--to', to, input]);
      assert.equal(run.code, 0, run.stderr);
      const [out] = docs(run.stdout);
      const matches = out!.spec?.matches ?? out!.matches!;
      assert.deepEqual(matches[0]!.headers, [{ 'user-agent': '.*' }, { 'client-app': 'bookbuyer' }]);
    }
  });

  test('--normalize-headers writes the map form, alone or with --to', async () => {
    const input = file('list2.yaml', group('    - "user-agent": ".*"\n    - "client-app": "bookbuyer"'));
    const alone = await runCli(['convert', '--normalize-headers', input]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.deepEqual(docs(alone.stdout)[0]!.spec!.matches[0]!.headers, { 'user-agent': '.*', 'client-app': 'bookbuyer' });
    const older = await runCli(['convert', '--normalize-headers', '--to', 'specs.smi-spec.io/v1alpha2', input]);
    assert.equal(older.code, 0, older.stderr);
    const [o] = docs(older.stdout);
    assert.equal(o!.apiVersion, 'specs.smi-spec.io/v1alpha2');
    assert.deepEqual(o!.matches![1]!.headers, { 'user-agent': '.*', 'client-app': 'bookbuyer' });
  });

  test('--normalize-headers refuses a header named twice, at file:line, and prints nothing', async () => {
    const input = file('twice.yaml', group('    - x-v: "1|2"\n    - X-V: "2|3"'));
    const run = await runCli(['convert', '--normalize-headers', input]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stdout + run.stderr, new RegExp(`${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: error SMI_HEADERS_NOT_NORMALIZABLE: header "x-v" is named more than once`));
  });

  test('convert without --to or --normalize-headers is a usage error', async () => {
    const run = await runCli(['convert', file('x.yaml', group('      a: b'))]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--to APIVERSION, --normalize-headers, or both/);
  });
});
