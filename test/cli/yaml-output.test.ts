/**
 * What smi writes as YAML must read back as the same objects both under YAML 1.1 (kubectl and the API
 * server) and YAML 1.2: a label value "y", "0755", "1_000" or "2026-12-01" has to stay a string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { toYamlStream } from '../../src/api/yaml-write.js';

const TRICKY = ['y', 'Y', 'n', 'no', 'On', 'OFF', 'true', 'null', '~', '', ' ', '0755', '0o17', '0x1F', '0b101', '-0b1', '+0x_1', '1_000', '1e3', '.5', '5.', '1:20', '190:20:30.15', '2026-12-01', '2026-12-01T00:00:00Z',
  '.inf', '-.Inf', '.NaN', '<<', '=', '-', '- x', 'a: b', '#c', 'x #y', '"q"', "'q'", '@a', '`b', '%c', '!d', '&e', '*f', '|', '>', '? q', '[a]', '{b}', 'tab\tx', 'line\nbreak', 'end\n', '\u0085', '\u2028', 'café', ' lead', 'trail '];
const scalar = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 3 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 4 })), tie('node'), { maxKeys: 4, noNullPrototype: true }),
})).node;

test('toYamlStream reads back the same under YAML 1.1 and 1.2', () => {
  fc.assert(fc.property(fc.array(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4, noNullPrototype: true }), { minLength: 1, maxLength: 3 }), (objects) => {
    const text = toYamlStream(objects);
    for (const version of ['1.1', '1.2'] as const) {
      const back = parseAllDocuments(text, { version }).map((d) => {
        assert.deepEqual(d.errors, [], `${version}: ${d.errors[0]?.message}\n${text}`);
        return d.toJS();
      });
      assert.deepStrictEqual(back, objects, `YAML ${version}:\n${text}`);
    }
  }), { numRuns: 1000 });
});

test('-o yaml everywhere data comes out, the same fields as -o json; explain gives data, not display strings', async () => {
  const { runCli } = await import('../support/cli.js');
  const { parse } = await import('yaml');
  const { resolve } = await import('node:path');
  const OSM = resolve(import.meta.dirname, '../fixtures/field/osm-bookstore.yaml');
  const CANARY = resolve(import.meta.dirname, '../../examples/canary');
  const commands = [
    ['check', '-f', OSM, '--from', 'bookbuyer/bookbuyer', '--to', 'bookstore/bookstore', '--path', '/books-bought'],
    ['route', '-f', CANARY, '--service', 'web/website', '--port', '80'],
    ['diff', '-f', OSM, '--mesh', 'smi', '--mesh', 'istio'],
    ['validate', OSM],
    ['explain', '-f', OSM, '--to', 'bookstore/bookstore'],
  ];
  for (const args of commands) {
    const json = await runCli([...args, '-o', 'json']);
    const yaml = await runCli([...args, '-o', 'yaml']);
    assert.equal(yaml.code, json.code, args.join(' '));
    assert.deepEqual(parse(yaml.stdout), JSON.parse(json.stdout), args.join(' '));
  }
  const explained = JSON.parse((await runCli(['explain', '-f', OSM, '--to', 'bookstore/bookstore', '-o', 'json'])).stdout) as { access: Record<string, unknown>[] };
  assert.deepEqual(explained.access[0], {
    source: 'bookbuyer/bookbuyer', protocol: 'http', ports: 'all', methods: ['GET'], pathRegex: '/books-bought',
    headers: [{ name: 'user-agent', regex: '.*-http-client/*.*' }, { name: 'client-app', regex: 'bookbuyer' }],
    grantedBy: 'TrafficTarget bookstore/bookstore (bookstore-service-routes/books-bought)', where: `${OSM}:123`,
  });
});

test('large output is written in pieces that join to exactly the whole text, YAML and JSON', async () => {
  const { yamlStreamChunks } = await import('../../src/api/yaml-write.js');
  const { jsonChunks, toJson } = await import('../../src/cli/format.js');
  fc.assert(fc.property(fc.array(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4, noNullPrototype: true }), { maxLength: 9 }), fc.integer({ min: 1, max: 4 }), (objects, per) => {
    assert.equal([...yamlStreamChunks(objects, per)].join(''), toYamlStream(objects));
    assert.equal([...jsonChunks(objects, per)].join(''), toJson(objects));
    if (objects.length > per) assert.ok([...yamlStreamChunks(objects, per)].length > 1, 'more than one piece');
  }), { numRuns: 500 });
});
