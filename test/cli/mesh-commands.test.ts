import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { deploymentYaml } from '../support/policy.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const CANARY = resolve(import.meta.dirname, '../../examples/canary');

const kinds = (yamlText: string) => parseAllDocuments(yamlText).map((d) => (d.toJS() as { kind: string }).kind);

describe('smi translate', () => {
  test('istio: resources on stdout, byte-identical on a second run, summary on stderr', async () => {
    const a = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio']);
    const b = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio']);
    assert.equal(a.stdout, b.stdout);
    assert.ok(kinds(a.stdout).includes('AuthorizationPolicy') && kinds(a.stdout).includes('VirtualService'));
    assert.match(a.stderr, /istio: \d+ resource\(s\)/);
  });

  test('linkerd: strict mode without a known default inbound policy is an error (exit 1); with deny it is not', async () => {
    const unknown = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'linkerd']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /LINKERD_DEFAULT_POLICY_NOT_ENFORCED/);
    const deny = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'linkerd', '--linkerd-default-policy', 'deny']);
    assert.equal(deny.code, 0, deny.stderr);
    const k = kinds(deny.stdout);
    for (const kind of ['Server', 'HTTPRoute', 'AuthorizationPolicy', 'MeshTLSAuthentication']) assert.ok(k.includes(kind), kind);
    assert.match(deny.stdout, /bookbuyer\.bookstore\.serviceaccount\.identity\.linkerd\.cluster\.local/);
  });

  test('output is YAML that kubectl (a YAML 1.1 reader) reads back unchanged: strings such as y, on, 0755 are quoted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-yaml11-'));
    writeFileSync(join(dir, 'in.yaml'), deploymentYaml('n', 'y', 'on', [80]) + `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: n}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: n}
spec:
  destination: {kind: ServiceAccount, name: "on", namespace: n}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: "y", namespace: n}]
`);
    const run = await runCli(['translate', '-f', dir, '--mesh', 'appmesh']);
    assert.match(run.stdout, /app: "y"/);
    assert.doesNotMatch(run.stdout, /: y$|: on$/m);
  });

  test('--strict turns warnings into a failing exit', async () => {
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '--strict']);
    assert.equal(run.code, 1);
  });

  test('gateway-api: splits as HTTPRoutes on the root Service; TrafficTargets need --authz', async () => {
    const bare = await runCli(['translate', '-f', CANARY, '--mesh', 'gateway-api', '--access-mode', 'permissive', '-o', 'json']);
    assert.equal(bare.code, 0, bare.stderr);
    const list = JSON.parse(bare.stdout) as { items: { kind: string; spec: { parentRefs: { kind: string }[] } }[] };
    assert.ok(list.items.some((r) => r.kind === 'HTTPRoute' && r.spec.parentRefs[0]?.kind === 'Service'));
    const strict = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'gateway-api']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /GATEWAY_AUTHZ_NOT_ENFORCED/);
    const paired = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'gateway-api', '--authz', 'istio']);
    assert.equal(paired.code, 0, paired.stderr);
    assert.ok(kinds(paired.stdout).includes('AuthorizationPolicy'));
  });

  test('--out-dir writes one file per resource', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-translate-'));
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--out-dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    const files = readdirSync(join(dir, 'bookstore'));
    assert.ok(files.some((f) => f.startsWith('authorizationpolicy-') || f.startsWith('AuthorizationPolicy-')), files.join(', '));
    assert.ok(readFileSync(join(dir, 'bookstore', files[0]!), 'utf8').includes('managed-by: smi'));
  });

  test('consul: config entries for the bookstore; --consul-namespaces mirror sets namespaces', async () => {
    const single = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'consul']);
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual([...new Set(kinds(single.stdout))].sort(), ['ServiceDefaults', 'ServiceIntentions', 'ServiceSplitter']);
    assert.doesNotMatch(single.stdout, /namespace: "\*"/);
    const mirror = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'consul', '--consul-namespaces', 'mirror', '-o', 'json']);
    const intentions = (JSON.parse(mirror.stdout) as { items: { kind: string; spec: { destination: { namespace?: string } } }[] }).items.filter((r) => r.kind === 'ServiceIntentions');
    assert.ok(intentions.length > 0 && intentions.every((r) => r.spec.destination.namespace === 'bookstore'), mirror.stdout);
  });

  test('appmesh: route-level rules it cannot express are errors (exit 1), and the docs point to gateway-api', async () => {
    const run = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'appmesh']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /APPMESH_ROUTE_RULES_NARROWED/);
    assert.deepEqual([...new Set(kinds(run.stdout))].sort(), ['VirtualNode', 'VirtualRouter', 'VirtualService']);
    assert.match(readFileSync(resolve(import.meta.dirname, '../../docs/targets/appmesh.md'), 'utf8'), /2026-09-30[\s\S]*--mesh gateway-api/);
  });

  test('usage errors exit 2', async () => {
    const misplaced = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--consul-namespaces', 'mirror']);
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /--consul-namespaces applies to --mesh consul only/);
    assert.equal((await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'nomesh'])).code, 2);
    assert.equal((await runCli(['translate', '-f', BOOKSTORE])).code, 2);
    assert.equal((await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'linkerd', '--linkerd-default-policy', 'maybe'])).code, 2);
    const ignored = await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--authz', 'linkerd']);
    assert.equal(ignored.code, 2);
    assert.match(ignored.stderr, /--authz applies to --mesh gateway-api only/);
    assert.equal((await runCli(['translate', '-f', BOOKSTORE, '--mesh', 'istio', '--linkerd-default-policy', 'deny'])).code, 2);
  });
});

describe('smi check / route --mesh', () => {
  const buyer = ['-f', BOOKSTORE, '--from', 'bookstore/bookbuyer', '--to', 'bookstore/bookstore', '--path', '/books-bought', '--header', 'User-Agent=go-http-client/1.1', '--port', '14001'];

  test('appmesh: HTTP rules narrower than everything are not expressible, and check shows the narrowing', async () => {
    const run = await runCli(['check', ...buyer, '--mesh', 'appmesh']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^DENY {2}on appmesh; SMI says ALLOW {2}← the mesh differs/);
    assert.match(run.stdout, /APPMESH_ROUTE_RULES_NARROWED|does not list spiffe:\/\/cluster\.local\/ns\/bookstore\/sa\/bookbuyer/);
  });

  for (const mesh of ['istio', 'linkerd', 'consul']) {
    test(`${mesh}: the mesh answers like SMI on an allowed and a denied request`, async () => {
      const extra = mesh === 'linkerd' ? ['--linkerd-default-policy', 'deny'] : [];
      const allowed = await runCli(['check', ...buyer, '--mesh', mesh, ...extra]);
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
      assert.match(allowed.stdout, new RegExp(`^ALLOW  on ${mesh}; SMI says ALLOW`));
      const denied = await runCli(['check', ...buyer.map((a) => (a === 'bookstore/bookbuyer' ? 'bookstore/bookthief' : a)), '--mesh', mesh, ...extra]);
      assert.equal(denied.code, 1);
      assert.match(denied.stdout, /^DENY .*SMI says DENY/);
    });
  }

  test('linkerd decides per port: without one for a multi-port destination, exit 2 with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-check-'));
    writeFileSync(join(dir, 'in.yaml'), deploymentYaml('n', 'api', 'api', [80, 9090]) + deploymentYaml('n', 'web', 'web', [80]));
    // n holds no SMI objects: named with -n, it is in smi's scope all the same.
    const args = ['check', '-f', dir, '--from', 'n/web', '--to', 'n/api', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '--scope', 'n'];
    const run = await runCli(args);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /per destination port.*--port/);
    const withPort = await runCli([...args, '--port', '9090']);
    assert.equal(withPort.code, 1, 'strict mode: nothing grants n/web');
    assert.match(withPort.stdout, /^DENY {2}on linkerd; SMI says DENY/);
  });

  for (const mesh of ['gateway-api', 'consul', 'appmesh']) {
    test(`route --mesh ${mesh} gives the same backends as SMI for the canary`, async () => {
      const smi = await runCli(['route', '-f', CANARY, '--service', 'web/website', '--port', '80', '-o', 'json']);
      const run = await runCli(['route', '-f', CANARY, '--service', 'web/website', '--port', '80', '--mesh', mesh, '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const shares = (t: string) => (JSON.parse(t) as { backends: { service: string; share: number }[] }).backends.map((b) => `${b.service}=${b.share.toFixed(3)}`).sort();
      assert.ok(shares(smi.stdout).length > 1, smi.stdout);
      assert.deepEqual(shares(run.stdout), shares(smi.stdout));
    });
  }
});

describe('smi diff', () => {
  test('istio vs linkerd on the bookstore: runs, and every line names both meshes', async () => {
    const run = await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'istio', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '-o', 'json']);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const out = JSON.parse(run.stdout) as { access: Record<string, string>[]; routes: Record<string, string>[] };
    for (const row of [...out.access, ...out.routes]) assert.ok('istio' in row && 'linkerd' in row, JSON.stringify(row));
  });

  test('smi vs gateway-api without --authz: access differs (not enforced), exit 1', async () => {
    const run = await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'gateway-api']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /not enforced/);
  });

  test('appmesh vs gateway-api (the migration path): runs and names both', async () => {
    const run = await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'appmesh', '--mesh', 'gateway-api', '--authz', 'istio', '-o', 'json']);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const out = JSON.parse(run.stdout) as { access: Record<string, string>[]; routes: Record<string, string>[] };
    assert.ok(out.access.length > 0, 'App Mesh cannot express the route-level rules: the two differ');
    for (const row of [...out.access, ...out.routes]) assert.ok('appmesh' in row && 'gateway-api' in row, JSON.stringify(row));
  });

  test('needs --mesh twice', async () => {
    assert.equal((await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'istio'])).code, 2);
  });
});

describe('smi diff at scale: grouped, streamed, filtered', () => {
  test('a table of 200,000 rows is written (no spread into Math.max)', async () => {
    const { table } = await import('../../src/cli/table.js');
    const rows = Array.from({ length: 200_000 }, (_, i) => [`r${i}`, 'ALLOW', 'DENY']);
    assert.equal(table(['A', 'B', 'C'], rows).split('\n').length, 200_002);
  });

  test('text: one line per caller and destination, with a count and an example; the summary counts the same', async () => {
    const run = await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio']);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n').filter((l) => / → .*: \d+ of \d+ request\(s\) differ; e\.g\. /.test(l));
    assert.ok(lines.length > 0, run.stdout);
    const total = lines.reduce((n, l) => n + Number(/: (\d+) of/.exec(l)![1]), 0);
    assert.match(run.stdout, new RegExp(`: ${total} difference\\(s\\) in ${lines.length} caller/destination pair\\(s\\)`));
    const json = JSON.parse((await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio', '-o', 'json'])).stdout) as { pairs: { differ: number }[]; access: unknown[] };
    assert.equal(json.pairs.reduce((n, p) => n + p.differ, 0), json.access.length);
    assert.equal(json.pairs.length, lines.length);
  });

  test('--protocol, --from and --to keep only those requests', async () => {
    const run = await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio', '--protocol', 'udp', '--from', 'bookstore/bookbuyer', '-o', 'json']);
    const out = JSON.parse(run.stdout) as { pairs: { source: string; destination: string }[]; access: { request: string }[] };
    assert.ok(out.access.length > 0);
    assert.ok(out.access.every((r) => r.request.startsWith('bookstore/bookbuyer → ') && r.request.endsWith(' udp')), JSON.stringify(out.access.slice(0, 3)));
    const to = JSON.parse((await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio', '--to', 'bookstore/bookstore', '-o', 'json'])).stdout) as { pairs: { destination: string }[] };
    assert.ok(to.pairs.length > 0 && to.pairs.every((p) => p.destination === 'bookstore/bookstore'));
    assert.equal((await runCli(['diff', '-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio', '--from', 'nope'])).code, 2);
  });
});

describe('smi route --mesh: SMI beside the mesh, the difference marked, the diagnostics that concern it', () => {
  const input = `
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v1, namespace: shop}
spec: {selector: {app: web, version: v1}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 80}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: thirds, namespace: shop}
spec: {service: web, backends: [{service: web-v1, weight: 1}, {service: web-v2, weight: 2}]}
`;
  test('weights Istio must round: DIFFERS, both answers, and the rounding warning (only that one)', async () => {
    const run = await runCli(['route', '-f', '-', '--service', 'shop/web', '--mesh', 'istio'], input);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^TrafficSplit shop\/thirds/);
    assert.match(run.stdout, /DIFFERS {2}on istio; SMI says shop\/web-v1 33\.3%, shop\/web-v2 66\.7%/);
    assert.match(run.stderr, /ISTIO_WEIGHT_ROUNDED/);
    const json = JSON.parse((await runCli(['route', '-f', '-', '--service', 'shop/web', '--mesh', 'istio', '-o', 'json'], input)).stdout) as { differs: boolean; smi: { backends: { share: number }[] }; backends: { share: number }[] };
    assert.equal(json.differs, true);
    assert.ok(Math.abs(json.smi.backends[0]!.share - 1 / 3) < 1e-9);
    assert.ok(Math.abs(json.backends[0]!.share - 0.33) < 1e-9);
  });
});

test('smi check --mesh shows the diagnostics about the destination asked, not those of the rest of the policy', async () => {
  const OSM = resolve(import.meta.dirname, '../fixtures/field/osm-bookstore.yaml');
  const json = async (from: string, to: string, method: string, path: string) => JSON.parse((await runCli(['check', '-f', OSM, '--from', from, '--to', to, '--port', '14001', '--method', method, '--path', path, '--mesh', 'istio', '-o', 'json'])).stdout) as { diagnostics: { object: string | null; message: string }[] };
  // Istio cannot write bookstore's regex routes: errors on the TrafficTarget granting bookbuyer.
  const own = (d: { object: string | null }) => d.object === 'TrafficTarget/bookstore/bookstore';
  const bookstore = await json('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/books-bought');
  assert.ok(bookstore.diagnostics.some(own), "the destination's own diagnostics are there");
  const warehouse = await json('bookstore/bookstore', 'bookwarehouse/bookwarehouse', 'POST', '/restock-books');
  assert.ok(!warehouse.diagnostics.some(own), "another destination's are not");
  for (const d of warehouse.diagnostics) assert.ok(d.object === null || d.object.startsWith('TrafficTarget/bookwarehouse/') || d.message.includes('bookwarehouse/bookwarehouse'), JSON.stringify(d));
});

test('check --mesh compares with SMI\'s answer for the request as the mesh forwards it (Istio normalises /x/../entries to /entries)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-forwarded-'));
  writeFileSync(join(dir, 'in.yaml'), deploymentYaml('shop', 'api', 'api', [8080]) + deploymentYaml('shop', 'web', 'web', [80]) + `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g, namespace: shop}
spec: {matches: [{name: entries, pathRegex: /entries}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: g}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`);
  const r = await runCli(['check', '-f', dir, '--from', 'shop/web', '--to', 'shop/api', '--path', '/x/../entries', '--mesh', 'istio']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ALLOW {2}on istio; SMI says ALLOW\n/);
  assert.match(r.stderr, /istio forwards the path \/x\/\.\.\/entries as \/entries/);
  // Linkerd forwards the path as written: a prefix rule for /entries does not fit /x/../entries there, as in SMI.
  const l = await runCli(['check', '-f', dir, '--from', 'shop/web', '--to', 'shop/api', '--path', '/x/../entries', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny']);
  assert.match(l.stdout, /^DENY {2}on linkerd; SMI says DENY\n/);
});
