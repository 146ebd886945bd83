/**
 * The dashboard over HTTP: the view of the bundled bookstore, what-if answers that are SMI's and each
 * mesh's own (fence included), explain, and the edge's manners: read-only, a strict CSP, escaping, no
 * Secrets in responses, 127.0.0.1 by default.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateYaml } from '../support/inputs.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { decide } from '../../src/policy/decide.js';
import { renderPage } from '../../src/dashboard/page.js';
import { findTarget, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { startDashboard, CONTENT_SECURITY_POLICY, type RunningDashboard } from '../../src/dashboard/server.js';
import { dashboardView } from '../../src/dashboard/view.js';
import { parseQuestion } from '../../src/dashboard/request.js';
import { meshDifferences, shownMeshes, type MeshDifferences } from '../../src/dashboard/differences.js';
import type { DashboardView } from '../../src/dashboard/view.js';
import type { WhatIf } from '../../src/dashboard/what-if.js';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: bookstore}
stringData: {password: hunter2-do-not-show}
`;
const text = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n') + SECRET;
const input = validateYaml(text);
const model = resolvePolicy(input, { mode: 'strict', scope: scopeOptions() });
const side = (mesh: string, options: TranslateOptions) => {
  const target = findTarget(mesh)!;
  return { target, options, translation: target.translate(model, options) };
};
const sides = [side('istio', DEFAULT_OPTIONS), side('istio', { ...DEFAULT_OPTIONS, fence: 'networkpolicy' }), side('cilium', DEFAULT_OPTIONS)];

describe('dashboard view (pure)', () => {
  test('namespaces with their identities and Services, access and split edges, diagnostics tied to nodes', () => {
    const view = dashboardView(model, input.diagnostics, shownMeshes(sides));
    const bookstore = view.namespaces.find((n) => n.name === 'bookstore')!;
    assert.ok(bookstore.inScope && bookstore.identities.includes('sa:bookstore/bookbuyer') && bookstore.services.includes('svc:bookstore/bookstore'));
    assert.ok(view.edges.some((e) => e.kind === 'access' && e.from === 'sa:bookstore/bookbuyer' && e.to === 'sa:bookstore/bookstore'));
    assert.ok(!view.edges.some((e) => e.kind === 'access' && e.from === 'sa:bookstore/bookthief'), 'the thief has no edge');
    assert.ok(view.edges.some((e) => e.kind === 'split' && e.from === 'svc:bookstore/bookstore'));
    assert.deepEqual(view.meshes, ['istio', 'istio+fence', 'cilium']);
    const linked = view.diagnostics.filter((d) => d.mesh !== undefined && d.nodes.length > 0);
    assert.ok(linked.length > 0 && linked.every((d) => d.nodes.every((n) => /^(sa|svc):[^/]+\/.+/.test(n))), JSON.stringify(view.diagnostics, null, 1));
  });

  test('each mesh comes with its feature table for the options it is shown with, on the page too', () => {
    const ambient = side('istio', { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' });
    const view = dashboardView(model, [], shownMeshes([sides[0]!, ambient]));
    const [sidecar, l4] = view.meshFeatures;
    assert.deepEqual(view.meshFeatures.map((m) => m.mesh), ['istio', 'istio (--istio-data-plane ambient)']);
    const row = (m: typeof sidecar, f: string) => m?.features.find((x) => x.feature === f);
    assert.equal(row(sidecar, 'http-route-grant')?.support, 'full');
    assert.equal(row(l4, 'http-route-grant')?.support, findTarget('istio')!.features!({ ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' })['http-route-grant'].support);
    assert.notEqual(row(l4, 'http-route-grant')?.support, 'full', 'ambient without waypoints carries no route-level grant');
    assert.ok(row(l4, 'http-route-grant')?.note, 'what is lost is said');
    const page = renderPage(view, {}, { source: { origin: 'test', live: false, version: 1, at: '' } });
    const section = page.slice(page.indexOf('<section id="mesh-features">'));
    assert.ok(section.startsWith('<section id="mesh-features"><h2>What each mesh carries of SMI</h2>'), page.slice(0, 200));
    assert.match(section, /<tr class="(none|partial)" data-feature="http-route-grant"><td>an HTTPRouteGroup grant by method and literal path prefix<\/td><td>(none|partial)<\/td><td>[^<]+<\/td><\/tr>/);
    assert.equal(renderPage(dashboardView(model, [], new Map()), {}, { source: { origin: 'test', live: false, version: 1, at: '' } }).includes('id="mesh-features"'), false, 'no mesh, no table');
  });

  test('a diagnostic is tied to the nodes its message names as whole words, not inside longer paths', () => {
    const said = { severity: 'warning' as const, code: 'SAID', path: '', message: 'see bookstore/bookbuyer. Not x/bookstore/bookstore nor bookstore/bookstore-v9; Service bookstore/bookstore-v1 too' };
    const view = dashboardView(model, [said], new Map());
    assert.deepEqual(view.diagnostics.find((d) => d.code === 'SAID')?.nodes, ['sa:bookstore/bookbuyer', 'svc:bookstore/bookstore-v1']);
  });

  test('where each mesh differs from SMI: istio alone lets UDP through, the fence closes it', () => {
    const diffs = meshDifferences(model, sides);
    assert.deepEqual(diffs.map((d) => d.mesh), ['istio', 'istio+fence', 'cilium']);
    const [bare, fenced] = diffs as [MeshDifferences, MeshDifferences];
    const bookstore = bare.destinations.find((d) => d.node === 'sa:bookstore/bookstore');
    assert.ok(bookstore && bookstore.requests > 0, JSON.stringify(bare));
    assert.ok(bare.destinations.some((d) => / udp: SMI DENY, mesh ALLOW \(not enforced\)$/.test(d.example)), JSON.stringify(bare.destinations));
    const count = (m: MeshDifferences) => m.destinations.reduce((n, d) => n + d.requests, 0);
    assert.ok(count(fenced) < count(bare), `fenced ${count(fenced)} vs bare ${count(bare)}`);
    assert.ok(!fenced.destinations.some((d) => / udp: /.test(d.example)), JSON.stringify(fenced.destinations));
  });

  test('what-if questions are checked: names, ports, protocols, headers', () => {
    assert.deepEqual(parseQuestion({ from: 'x', to: 'a/b' }), { error: 'from: "x" is not NS/SERVICEACCOUNT (or unauthenticated)' });
    assert.match((parseQuestion({ from: 'a/b', to: 'a/c', port: '70000' }) as { error: string }).error, /^port:/);
    assert.match((parseQuestion({ from: 'a/b', to: 'a/c', headers: 'novalue' }) as { error: string }).error, /^headers:/);
    const ok = parseQuestion({ from: 'unauthenticated', to: 'a/c', protocol: 'http', method: 'post', path: '/x?y=1', headers: 'X-A=1' });
    assert.ok(!('error' in ok) && ok.source === 'unauthenticated' && ok.http?.method === 'POST' && ok.http.path === '/x' && ok.http.headers.get('x-a') === '1');
  });
});

describe('dashboard server', () => {
  let running: RunningDashboard;
  before(async () => { running = await startDashboard({ model, input: input.diagnostics, sides }, { host: '127.0.0.1', port: 0 }); });
  after(async () => running?.close());
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, running.url), init);

  test('the page lists identities, edges and diagnostics as text, under a CSP with no inline script or style', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc="\/app\.js")|<style|style=/, 'nothing inline for the CSP to refuse');
    assert.match(html, /<script type="module" src="\/app\.js"><\/script>/);
    assert.match(html, /ServiceAccount bookstore\/bookbuyer/);
    assert.match(html, /<td>bookstore\/bookbuyer<\/td><td>bookstore\/bookstore<\/td><td>may call<\/td>/);
    assert.match(html, /id="diagnostics"/);
  });

  test('/api/check: SMI\'s answer is decide()\'s, beside each mesh; the fence closes what istio alone leaves open', async () => {
    const allowed = await (await get('/api/check?from=bookstore/bookbuyer&to=bookstore/bookstore&port=14001&method=GET&path=/books-bought&headers=user-agent=go-http-client/1.1')).json() as WhatIf;
    assert.equal(allowed.smi.allowed, true);
    // Cilium matches header values exactly: the user-agent regex is left out there, and the page says it differs.
    assert.deepEqual(allowed.meshes.map((m) => [m.mesh, m.fenced, m.answer, m.differs]), [['istio', false, 'ALLOW', false], ['istio', true, 'ALLOW', false], ['cilium', false, 'DENY', true]]);
    const udp = await (await get('/api/check?from=bookstore/bookthief&to=bookstore/bookstore&port=53&protocol=udp')).json() as WhatIf;
    assert.equal(udp.smi.allowed, decide(model, { source: { namespace: 'bookstore', name: 'bookthief' }, destination: { namespace: 'bookstore', name: 'bookstore' }, protocol: 'udp', port: 53 }).allowed);
    assert.equal(udp.smi.allowed, false);
    assert.deepEqual(udp.meshes.map((m) => [m.answer, m.differs]), [['ALLOW (not enforced)', true], ['DENY', false], ['DENY', false]]);
    const bad = await get('/api/check?from=nope&to=bookstore/bookstore');
    assert.equal(bad.status, 400);
  });

  test('the what-if form answers on the page, and what it echoes is escaped', async () => {
    const html = await (await get('/?from=bookstore/bookthief&to=bookstore/bookstore&port=14001&path=/books-bought')).text();
    assert.match(html, /<p id="smi-answer"><strong>SMI: DENY<\/strong><\/p>/);
    assert.match(html, /<table id="mesh-answers">/);
    const hostile = await (await get(`/?from=${encodeURIComponent('<script>alert(1)</script>')}&to=bookstore/bookstore`)).text();
    assert.doesNotMatch(hostile, /<script>alert/);
    assert.match(hostile, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('explain: who may call a destination, with the granting TrafficTarget and file:line', async () => {
    const html = await (await get('/?to=bookstore/bookstore')).text();
    assert.match(html, /Who may call bookstore\/bookstore/);
    assert.match(html, /bookstore\/bookbuyer<\/td>/);
    const json = await (await get('/api/explain?to=bookstore/bookstore')).json() as { access: { source: string; where: string }[] };
    assert.ok(json.access.some((r) => r.source === 'bookstore/bookbuyer' && /\.yaml:\d+$/.test(r.where)), JSON.stringify(json.access));
  });

  test('read-only and discreet: no writes, no Secrets, 404 elsewhere', async () => {
    assert.equal((await get('/api/view', { method: 'POST' })).status, 405);
    assert.equal((await get('/nothing-here')).status, 404);
    for (const path of ['/', '/api/view', '/api/explain?to=bookstore/bookstore']) assert.doesNotMatch(await (await get(path)).text(), /hunter2/);
    const view = await (await get('/api/view')).json() as DashboardView;
    assert.ok(view.namespaces.length > 0);
  });
});

test('smi dashboard binds to 127.0.0.1 by default and says where', async () => {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const { main } = await import('../../src/cli/main.js');
  const { dashboardCommand } = await import('../../src/cli/commands/dashboard.js');
  let stderr = '';
  const ctx = { io: { stdout: () => undefined, stderr: (t: string) => void (stderr += t), readStdin: async () => Buffer.from('') }, programName: 'smi', exitCode: 0 };
  const command = dashboardCommand(ctx, async () => {
    const url = /http:\/\/[^ ]+/.exec(stderr)?.[0];
    assert.ok(url?.startsWith('http://127.0.0.1:'), stderr);
    assert.equal((await fetch(url!)).status, 200);
    stop();
  });
  await command.parseAsync(['-f', BOOKSTORE, '--mesh', 'istio', '--port', '0'], { from: 'user' });
  await stopped;
  assert.ok(main, 'the CLI registers the command');
  const help = await runCli(['dashboard', '--help']);
  assert.match(help.stdout, /--host <address>/);
});

test('smi dashboard pairs each mesh with its own options: --linkerd-default-policy reaches linkerd beside istio', async () => {
  const { dashboardCommand } = await import('../../src/cli/commands/dashboard.js');
  const viewWith = async (args: string[]): Promise<DashboardView> => {
    let stderr = '';
    let view!: DashboardView;
    const ctx = { io: { stdout: () => undefined, stderr: (t: string) => void (stderr += t), readStdin: async () => Buffer.from('') }, programName: 'smi', exitCode: 0 };
    const command = dashboardCommand(ctx, async () => {
      view = await (await fetch(`${/http:\/\/[^ /]+/.exec(stderr)![0]}/api/view`)).json() as DashboardView;
    });
    await command.parseAsync(['-f', BOOKSTORE, '--port', '0', ...args], { from: 'user' });
    assert.equal(ctx.exitCode, 0, stderr);
    return view;
  };
  const codes = (v: DashboardView, mesh: string) => v.diagnostics.filter((d) => d.mesh === mesh).map((d) => d.code);
  const unknown = await viewWith(['--mesh', 'istio', '--mesh', 'linkerd']);
  assert.deepEqual(unknown.meshes, ['istio', 'linkerd']);
  assert.ok(codes(unknown, 'linkerd').includes('LINKERD_DEFAULT_POLICY_NOT_ENFORCED'), 'without the option Linkerd\'s default is not known');
  const deny = await viewWith(['--mesh', 'istio', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny']);
  assert.deepEqual(deny.meshes, ['istio', 'linkerd']);
  assert.ok(!codes(deny, 'linkerd').includes('LINKERD_DEFAULT_POLICY_NOT_ENFORCED'), JSON.stringify(codes(deny, 'linkerd')));
  assert.ok(codes(deny, 'linkerd').includes('LINKERD_UNDECLARED_PORTS'), 'with deny, undeclared ports are denied: said');
  assert.deepEqual(codes(deny, 'istio'), codes(unknown, 'istio'), 'istio is untouched by a Linkerd option');
});
