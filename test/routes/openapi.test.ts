/**
 * HTTPRouteGroups from API descriptions: named cases on the project's own shelter descriptions (the
 * shape of the OpenAPI Initiative's Petstore, in Swagger 2.0 and OpenAPI 3.0), through the real
 * command line; and properties over random templates — every path a template describes is matched by
 * its operation's match under SMI's anchoring, and paths one step away are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { validateYaml } from '../support/inputs.js';
import { fits, type Match } from '../support/route-match.js';
import { templateRegex, type PathParameter } from '../../src/routes/path-template.js';
import { routeGroup } from '../../src/routes/route-group.js';
import { operationsOf } from '../../src/routes/openapi.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/openapi');

test('OpenAPI 3: servers with a variable, $refs, integer and enum parameters; a label-style parameter is left out and reported', async () => {
  const r = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: .*shelter-3\.yaml: paths\.\/search\{format\}\.get: left out: parameter format has style label/);
  const group = parse(r.stdout) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { matches: Match[] } };
  assert.equal(validateYaml(r.stdout).diagnostics.filter((d) => d.severity === 'error').length, 0, 'a valid HTTPRouteGroup');
  assert.deepEqual(group.spec.matches.map((m) => [m.name, m.methods, m.pathRegex]), [
    ['list-pets', ['GET'], '(?:/v1/pets$|/v2/pets$)'],
    ['create-pet', ['POST'], '(?:/v1/pets$|/v2/pets$)'],
    ['delete-pet', ['DELETE'], '(?:/v1/pets/-?[0-9]+$|/v2/pets/-?[0-9]+$)'],
    ['show-pet-by-id', ['GET'], '(?:/v1/pets/-?[0-9]+$|/v2/pets/-?[0-9]+$)'],
    ['pet-photo', ['GET'], '(?:/v1/pets/-?[0-9]+/photos/(?:full|thumb)\\.png$|/v2/pets/-?[0-9]+/photos/(?:full|thumb)\\.png$)'],
  ]);
  const byName = new Map(group.spec.matches.map((m) => [m.name, m]));
  assert.ok(fits(byName.get('pet-photo')!, 'GET', '/v2/pets/42/photos/thumb.png'));
  assert.ok(!fits(byName.get('pet-photo')!, 'GET', '/v2/pets/42/photos/thumbXpng'), 'the dot is literal');
  assert.ok(!fits(byName.get('show-pet-by-id')!, 'GET', '/v1/pets/fido'), 'an integer parameter');
  assert.ok(!fits(byName.get('list-pets')!, 'GET', '/v1/pets/1'), 'nothing longer');
  assert.ok(fits(byName.get('list-pets')!, 'GET', '/v1/pets?limit=3'), 'the query string is not part of the path');

  const one = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets', '--server', 'https://shelter.example.com/{version}', '-o', 'json']);
  assert.equal(JSON.parse(one.stdout).spec.matches[0].pathRegex, '(?:/v1/pets$|/v2/pets$)');
  const base = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets', '--base-path', '/', '-o', 'json']);
  assert.equal(JSON.parse(base.stdout).spec.matches[0].pathRegex, '/pets$');
  const none = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets', '--server', 'https://elsewhere']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no such server/);
});

test('Swagger 2.0: basePath, parameters on the operation by $ref, names from method and path where there is no operationId', async () => {
  const r = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-2.json`, '--name', 'shelter', '--namespace', 'pets', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const group = JSON.parse(r.stdout) as { spec: { matches: Match[] } };
  assert.deepEqual(group.spec.matches.map((m) => [m.name, m.methods[0], m.pathRegex]), [
    ['put-owners-name', 'PUT', '/api/v1/owners/[^/]+$'],
    ['list-pets', 'GET', '/api/v1/pets$'],
    ['create-pet', 'POST', '/api/v1/pets$'],
    ['show-pet-by-id', 'GET', '/api/v1/pets/-?[0-9]+$'],
  ]);
  const names = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-2.json`, '--name', 'shelter', '--namespace', 'pets', '--match-names', 'method-path', '-o', 'json']);
  assert.deepEqual((JSON.parse(names.stdout) as { spec: { matches: Match[] } }).spec.matches.map((m) => m.name), ['put-owners-name', 'get-pets', 'post-pets', 'get-pets-pet-id']);
});

test('from stdin: the same group as from the file', async () => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(`${FIXTURES}/shelter-2.json`, 'utf8');
  const piped = await runCli(['route-groups', 'from-openapi', '-', '--name', 'shelter', '--namespace', 'pets'], text);
  const file = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-2.json`, '--name', 'shelter', '--namespace', 'pets']);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, file.stdout);
});

test('usage errors say what is wrong', async () => {
  for (const [args, message] of [
    [['/nonexistent.yaml'], /nonexistent\.yaml/],
    [[`${FIXTURES}/shelter-2.json`, '--base-path', 'v1'], /--base-path v1: starts with \//],
  ] as const) {
    const r = await runCli(['route-groups', 'from-openapi', ...args, '--name', 'g', '--namespace', 'n']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});

// Templates from literal pieces (regex metacharacters included) and parameters of each kind.
const literal = fc.stringMatching(/^[a-z0-9.+()$*_~-]{1,6}$/);
const param = fc.record({
  kind: fc.constantFrom('string', 'integer', 'enum'),
  values: fc.uniqueArray(fc.stringMatching(/^[a-z0-9.+_-]{1,5}$/), { minLength: 1, maxLength: 3 }),
});
const segment = fc.oneof(literal.map((l) => ({ parts: [l] as (string | number)[] })), fc.tuple(fc.option(literal, { nil: undefined }), fc.nat(2), fc.option(literal, { nil: undefined })).map(([a, i, b]) => ({ parts: [...(a ? [a] : []), i, ...(b ? [b] : [])] })));
const template = fc.record({ segments: fc.array(segment, { minLength: 1, maxLength: 4 }), params: fc.array(param, { minLength: 3, maxLength: 3 }), base: fc.constantFrom('', '/v1', '/api/v2') });

interface Template { segments: { parts: (string | number)[] }[]; params: { kind: string; values: string[] }[]; base: string }

function build(t: Template) {
  const parameters: PathParameter[] = t.params.map((p, i) => ({ name: `p${i}`, schema: p.kind === 'integer' ? { type: 'integer' } : p.kind === 'enum' ? { type: 'string', enum: p.values } : { type: 'string' } }));
  const text = `/${t.segments.map((s) => s.parts.map((x) => (typeof x === 'number' ? `{p${x}}` : x)).join('')).join('/')}`;
  const value = (i: number, pick: number) => (t.params[i]!.kind === 'integer' ? String(pick * 7) : t.params[i]!.values[pick % t.params[i]!.values.length]!);
  const concrete = (pick: number) => `${t.base}/${t.segments.map((s) => s.parts.map((x) => (typeof x === 'number' ? value(x, pick) : x)).join('')).join('/')}`;
  return { parameters, text, concrete };
}

test('every described path is matched, exactly: not with a segment more, less, a trailing slash, or a prefix', () => {
  fc.assert(fc.property(template, fc.nat(5), (t, pick) => {
    const { parameters, text, concrete } = build(t);
    const r = templateRegex(t.base, text, parameters);
    assert.ok('regex' in r, JSON.stringify(r));
    const m: Match = { name: 'm', methods: ['GET'], pathRegex: r.regex };
    const path = concrete(pick);
    assert.ok(fits(m, 'GET', path), `${r.regex} should match ${path}`);
    assert.ok(!fits(m, 'POST', path), 'one method');
    for (const other of [`${path}/x`, `${path}/`, `/x${path}`, path.slice(0, path.lastIndexOf('/')) || '/']) {
      if (other === path) continue;
      assert.ok(!fits(m, 'GET', other), `${r.regex} should not match ${other} (template ${text})`);
    }
  }), { numRuns: 500 });
});

test('an integer parameter takes digits only; an enum its values only', () => {
  const r = templateRegex('', '/a/{id}/{kind}', [{ name: 'id', schema: { type: 'integer' } }, { name: 'kind', schema: { type: 'string', enum: ['x.y', 'z'] } }]);
  assert.ok('regex' in r);
  const m: Match = { name: 'm', methods: ['GET'], pathRegex: r.regex };
  assert.ok(fits(m, 'GET', '/a/12/x.y') && fits(m, 'GET', '/a/-3/z'));
  for (const p of ['/a/1x/z', '/a/12/xzy', '/a/12/x', '/a//z', '/a/12/']) assert.ok(!fits(m, 'GET', p), p);
});

test('operations from both description formats, operation parameters over path-item ones', () => {
  const doc = { openapi: '3.1.0', paths: { '/o/{id}': { parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }], get: { parameters: [{ name: 'id', in: 'path', schema: { type: 'integer' } }] } } } };
  const { operations } = operationsOf(doc);
  const { group } = routeGroup(operations, { name: 'g', namespace: 'n' });
  assert.deepEqual(group.spec.matches, [{ name: 'get-o-id', methods: ['GET'], pathRegex: '/o/-?[0-9]+$' }]);
  assert.match(operationsOf({ openapi: '4.0.0', paths: {} }).problems.join(), /3\.0 and 3\.1 are known/);
  assert.match(operationsOf({ info: {} }).problems.join(), /not an API description/);
});

test('routes check: a forgotten operation, a match for nothing, a match wider than its operation (with the request that shows it)', async () => {
  const r = await runCli(['route-groups', 'check', '--openapi', `${FIXTURES}/shelter-2.json`, '-f', `${FIXTURES}/shelter-routes.yaml`, '-o', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const { findings } = JSON.parse(r.stdout) as { findings: { kind: string; operation?: string; match?: string; example?: string }[] };
  assert.deepEqual(findings.map((f) => [f.kind, f.operation ?? f.match, f.example]), [
    ['uncovered-operation', 'POST /pets', 'POST /api/v1/pets'],
    // .* takes a name where the id is an integer (and more segments).
    ['wider-match', 'pets/shelter#show-pet', 'GET /api/v1/pets/x'],
    ['unused-match', 'pets/shelter#old-adoptions', undefined],
  ]);
  assert.deepEqual(JSON.parse(r.stdout).notJudged, ['pets/shelter#canary-list']);
  assert.match(r.stderr, /note: not judged, their header conditions .*: pets\/shelter#canary-list/);
  const text = await runCli(['route-groups', 'check', '--openapi', `${FIXTURES}/shelter-2.json`, '-f', `${FIXTURES}/shelter-routes.yaml`]);
  assert.match(text.stdout, /wider than the operations\s+pets\/shelter#show-pet\s+.*shelter-routes\.yaml:\d+\s+GET \/api\/v1\/pets\/x/);

  // The generated group passes its own audit.
  const generated = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-2.json`, '--name', 'shelter', '--namespace', 'pets']);
  const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'smi-routes-'));
  (await import('node:fs')).writeFileSync(join(dir, 'g.yaml'), generated.stdout);
  const clean = await runCli(['route-groups', 'check', '--openapi', `${FIXTURES}/shelter-2.json`, '-f', join(dir, 'g.yaml')]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /4 match\(es\) against 4 operation\(s\): every operation covered/);
});

test('for random descriptions: each operation\'s requests fit its own match; paths and methods no operation describes fit none', () => {
  const methodSet = fc.uniqueArray(fc.constantFrom('get', 'post', 'put', 'delete'), { minLength: 1, maxLength: 2 });
  fc.assert(fc.property(fc.array(fc.tuple(template, methodSet), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '/v1'), fc.nat(5), (entries, base, pick) => {
    const paths: Record<string, Record<string, unknown>> = {};
    const built = entries.map(([t, methods]) => ({ ...build({ ...t, base: '' }), methods }));
    for (const b of built) {
      paths[b.text] ??= { parameters: b.parameters.map((p) => ({ name: p.name, in: 'path', required: true, schema: p.schema })) };
      for (const m of b.methods) paths[b.text]![m] = { responses: {} };
    }
    const doc = { openapi: '3.0.3', servers: [{ url: `https://api.example.com${base}` }], paths };
    const { operations } = operationsOf(doc);
    const { group, problems } = routeGroup(operations, { name: 'g', namespace: 'n' });
    assert.deepEqual(problems.filter((p) => p.message.startsWith('left out')), []);
    const own = new Map(operations.map((op, i) => [`${op.method} ${op.template}`, i]));
    for (const b of built) {
      const path = `${base}${b.concrete(pick)}`;
      for (const m of b.methods) {
        const match = group.spec.matches.find((x) => x.methods[0] === m.toUpperCase() && fits(x, m.toUpperCase(), path) && own.has(`${m.toUpperCase()} ${b.text}`));
        assert.ok(match, `${m.toUpperCase()} ${path} fits a match`);
      }
      // Undescribed: a segment more, under any method; PATCH, which no operation has.
      for (const x of group.spec.matches) {
        assert.ok(!fits(x, 'PATCH', path));
        const longer = `${path}/zz9`;
        const describedLonger = built.some((o) => {
          const r = templateRegex(base, o.text, o.parameters);
          return (o.methods as string[]).includes(x.methods[0]!.toLowerCase()) && 'regex' in r && fits({ name: 'o', methods: [x.methods[0]!], pathRegex: r.regex }, x.methods[0]!, longer);
        });
        if (!describedLonger) assert.ok(!fits(x, x.methods[0]!, longer), `${x.pathRegex} takes ${longer}, which no operation describes`);
      }
    }
  }), { numRuns: 200 });
});

test('the old name `smi routes` still works, hidden from help, and says it is now `smi route-groups`', async () => {
  const old = await runCli(['routes', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets']);
  const now = await runCli(['route-groups', 'from-openapi', `${FIXTURES}/shelter-3.yaml`, '--name', 'shelter', '--namespace', 'pets']);
  assert.equal(old.code, now.code);
  assert.equal(old.stdout, now.stdout);
  assert.match(old.stderr, /`smi routes` is now `smi route-groups`/);
  assert.doesNotMatch(now.stderr, /is now/);
  const help = await runCli(['--help']);
  assert.match(help.stdout, /route-groups/);
  assert.doesNotMatch(help.stdout, /^ {2}routes\b/m);
});
