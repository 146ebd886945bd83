/**
 * HTTPRouteGroups from .proto files: a googleapis-style service of the project's own (versioned
 * package, an annotation imported from an -I directory, a well-known type, every kind of streaming)
 * through the real command line; and, for random names, the exact gRPC path and nothing near it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { runCli } from '../support/cli.js';
import { validateYaml } from '../support/inputs.js';
import { fits, type Match } from '../support/route-match.js';
import { rpcOperations } from '../../src/routes/proto.js';
import { routeGroup } from '../../src/routes/route-group.js';

const PROTO = resolve(import.meta.dirname, '../fixtures/proto');

test('a googleapis-style service: one POST match per RPC, streaming ones included, the imported file\'s service left out', async () => {
  const r = await runCli(['route-groups', 'from-proto', `${PROTO}/library/library.proto`, '-I', `${PROTO}/include`, '-I', PROTO, '--name', 'library', '--namespace', 'books', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const group = JSON.parse(r.stdout) as { spec: { matches: Match[] } };
  assert.deepEqual(group.spec.matches.map((m) => [m.name, m.methods, m.pathRegex]), ['Chat', 'DeleteShelf', 'GetShelf', 'ImportBooks', 'WatchShelves'].map((rpc) => [
    `library-service-${rpc.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`, ['POST'], `/example\\.library\\.v1\\.LibraryService/${rpc}$`,
  ]));
  const yaml = await runCli(['route-groups', 'from-proto', `${PROTO}/library/library.proto`, '-I', `${PROTO}/include`, '-I', PROTO, '--name', 'library', '--namespace', 'books']);
  assert.equal(validateYaml(yaml.stdout).diagnostics.filter((d) => d.severity === 'error').length, 0, 'a valid HTTPRouteGroup');

  const both = await runCli(['route-groups', 'from-proto', `${PROTO}/library/library.proto`, `${PROTO}/library/shelf.proto`, '-I', `${PROTO}/include`, '-I', PROTO, '--name', 'library', '--namespace', 'books', '-o', 'json']);
  assert.ok((JSON.parse(both.stdout) as { spec: { matches: Match[] } }).spec.matches.some((m) => m.pathRegex === '/example\\.library\\.v1\\.ShelfAdmin/Rebuild$'));
});

test('input errors name the file and line; a missing import is said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-proto-'));
  writeFileSync(join(dir, 'bad.proto'), 'syntax = "proto3";\npackage p;\nservice S {\n  rpc M(A) returns B;\n}\n');
  const bad = await runCli(['route-groups', 'from-proto', join(dir, 'bad.proto'), '--name', 'g', '--namespace', 'n']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.proto: illegal token .B., .\(. expected \(line 4\)/);
  const missing = await runCli(['route-groups', 'from-proto', `${PROTO}/library/library.proto`, '--name', 'g', '--namespace', 'n']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /example\/api\/http\.proto/);
});

// Names up to 9 characters: the message type's longer name cannot collide; keywords are left out.
const KEYWORDS = new Set(['syntax', 'package', 'import', 'option', 'message', 'service', 'rpc', 'returns', 'stream', 'enum', 'oneof', 'map', 'reserved', 'extend', 'to', 'max', 'weak', 'public']);
const ident = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/).filter((s) => !KEYWORDS.has(s));
test('for any package, service and method: the exact gRPC path, not one near it', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((s) => !KEYWORDS.has(s)), { maxLength: 3 }), ident, fc.uniqueArray(ident, { minLength: 1, maxLength: 3 }), fc.boolean(), (pkg, service, methods, streaming) => {
    const text = `syntax = "proto3";\n${pkg.length > 0 ? `package ${pkg.join('.')};\n` : ''}message TheMessageType {}\nservice ${service} {\n${methods.map((m) => `  rpc ${m}(${streaming ? 'stream ' : ''}TheMessageType) returns (TheMessageType);`).join('\n')}\n}\n`;
    const root = protobuf.parse(text, { keepCase: true }).root;
    const { group } = routeGroup(rpcOperations(root, []), { name: 'g', namespace: 'n' });
    const full = [...pkg, service].join('.');
    assert.equal(group.spec.matches.length, methods.length);
    for (const m of methods) {
      const match = group.spec.matches.find((x) => x.pathRegex.endsWith(`/${m}$`))!;
      assert.ok(fits(match, 'POST', `/${full}/${m}`));
      for (const near of [`/${full}/${m}x`, `/${full}/${m}/`, `/${full}x/${m}`, `/x/${full}/${m}`, `/${full.replace(/\./g, '/')}/${m}`]) {
        if (near !== `/${full}/${m}`) assert.ok(!fits(match, 'POST', near), `${match.pathRegex} vs ${near}`);
      }
      assert.ok(!fits(match, 'GET', `/${full}/${m}`));
    }
  }), { numRuns: 300 });
});
