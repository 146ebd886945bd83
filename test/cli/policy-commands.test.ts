import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCli } from '../support/cli.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const BOOKSTORE = join(EXAMPLES, 'bookstore');

describe('smi check', () => {
  const buyer = ['check', '-f', BOOKSTORE, '--from', 'bookstore/bookbuyer', '--to', 'bookstore/bookstore'];

  test('ALLOW exits 0 and names the TrafficTarget and match', async () => {
    const run = await runCli([...buyer, '--path', '/books-bought', '--header', 'User-Agent=go-http-client/1.1', '--port', '14001']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ALLOW /);
    assert.match(run.stdout, /TrafficTarget bookstore\/bookbuyer-to-bookstore allows bookstore\/bookbuyer via HTTPRouteGroup bookstore-routes match books-bought/);
    assert.match(run.stdout, /access\.yaml:\d+/);
  });

  test('DENY exits 1 and explains every candidate', async () => {
    const run = await runCli(['check', '-f', BOOKSTORE, '--from', 'bookstore/bookthief', '--to', 'bookstore/bookstore', '--path', '/books-bought']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^DENY /);
    assert.equal((run.stdout.match(/not among its sources/g) ?? []).length, 2);
  });

  test('-o json has allowed and reasons', async () => {
    const run = await runCli([...buyer, '--method', 'POST', '--path', '/buy-a-book/new', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { allowed: boolean; decision: string; request: { port: number }; reasons: { effect: string; target: { name: string } }[] };
    assert.equal(out.allowed, true);
    assert.equal(out.decision, 'ALLOW');
    assert.equal(out.request.port, 14001, 'the only port of the destination pods is filled in');
    assert.equal(out.reasons[0]!.target.name, 'bookbuyer-to-bookstore');
    const denied = JSON.parse((await runCli([...buyer, '--method', 'DELETE', '--path', '/buy-a-book/new', '-o', 'json'])).stdout) as { allowed: boolean; reasons: unknown[] };
    assert.equal(denied.allowed, false);
    assert.ok(denied.reasons.length > 0);
  });

  test('L4: --protocol udp/tcp with ports', async () => {
    const base = ['check', '-f', join(EXAMPLES, 'l4'), '--from', 'apps/client', '--to', 'infra/server'];
    assert.equal((await runCli([...base, '--protocol', 'udp', '--port', '8301'])).code, 0);
    assert.equal((await runCli([...base, '--protocol', 'udp', '--port', '8300'])).code, 1);
    assert.equal((await runCli([...base, '--protocol', 'tcp', '--port', '8300'])).code, 0);
  });

  test('unauthenticated callers and access modes', async () => {
    const base = ['check', '-f', BOOKSTORE, '--from', 'unauthenticated', '--path', '/'];
    assert.equal((await runCli([...base, '--to', 'bookstore/bookthief'])).code, 1);
    assert.equal((await runCli([...base, '--to', 'bookstore/bookthief', '--access-mode', 'per-destination'])).code, 0);
    assert.equal((await runCli([...base, '--to', 'bookstore/bookstore', '--access-mode', 'per-destination'])).code, 1);
    assert.equal((await runCli([...base, '--to', 'bookstore/bookstore', '--access-mode', 'permissive'])).code, 0);
  });

  test('usage and input errors exit 2', async () => {
    assert.equal((await runCli(['check', '-f', BOOKSTORE, '--from', 'bookbuyer', '--to', 'bookstore/bookstore'])).code, 2);
    assert.equal((await runCli([...buyer, '--protocol', 'tcp', '--path', '/x'])).code, 2);
    assert.equal((await runCli([...buyer, '--port', '70000'])).code, 2);
    assert.equal((await runCli([...buyer, '--header', 'novalue'])).code, 2);
    assert.equal((await runCli([...buyer, '--access-mode', 'lenient'])).code, 2);
    assert.equal((await runCli(['check', '--from', 'a/b', '--to', 'c/d'])).code, 2, '-f is required');
    const dir = mkdtempSync(join(tmpdir(), 'smi-check-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\nmetadata: { name: t }\nspec: {}\n');
    const bad = await runCli(['check', '-f', dir, '--from', 'a/b', '--to', 'c/d']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:4:\d+: error SMI_REQUIRED/);
  });
});

describe('smi route', () => {
  test('-o json prints backends with shares', async () => {
    const run = await runCli(['route', '-f', BOOKSTORE, '--service', 'bookstore/bookstore', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { backends: { service: string; share: number }[] };
    assert.deepEqual(out.backends.map(({ service, share }) => ({ service, share })), [
      { service: 'bookstore/bookstore-v1', share: 0.75 },
      { service: 'bookstore/bookstore-v2', share: 0.25 },
    ]);
  });

  test('header matches pick the backends; other requests go to the root', async () => {
    const base = ['route', '-f', join(EXAMPLES, 'ab-test'), '--service', 'shop/checkout', '-o', 'json'];
    const firefox = JSON.parse((await runCli([...base, '--header', 'user-agent=Mozilla/5.0 Firefox/120'])).stdout) as { backends: { service: string }[] };
    assert.deepEqual(firefox.backends.map((b) => b.service), ['shop/checkout-v2']);
    const insider = JSON.parse((await runCli([...base, '--method', 'POST', '--path', '/checkout/pay', '--header', 'cookie=a=1;type=insider'])).stdout) as { backends: { service: string }[] };
    assert.deepEqual(insider.backends.map((b) => b.service), ['shop/checkout-v2']);
    const other = JSON.parse((await runCli([...base, '--header', 'user-agent=curl/8'])).stdout) as { backends: { service: string }[] };
    assert.deepEqual(other.backends.map((b) => b.service), ['shop/checkout']);
  });

  test('a backend without the root port gets nothing (canary admin port)', async () => {
    const run = await runCli(['route', '-f', join(EXAMPLES, 'canary'), '--service', 'web/website', '-o', 'json']);
    const out = JSON.parse(run.stdout) as { backends: { service: string; share: number }[] };
    assert.deepEqual(out.backends.map((b) => [b.service, b.share]), [['web/website-v1', 0.9], ['web/website-v2', 0.1]]);
  });

  test('a multi-port root needs --port; a port it lacks exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-route-'));
    writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: birds }\nspec: { ports: [{ port: 8080 }, { port: 9090 }] }\n');
    assert.equal((await runCli(['route', '-f', dir, '--service', 'default/birds'])).code, 2);
    assert.equal((await runCli(['route', '-f', dir, '--service', 'default/birds', '--port', '9090'])).code, 0);
    assert.equal((await runCli(['route', '-f', dir, '--service', 'default/birds', '--port', '1234'])).code, 1);
  });
});

describe('smi explain and smi graph', () => {
  test('explain prints the callers table and the split', async () => {
    const run = await runCli(['explain', '-f', BOOKSTORE, '--to', 'bookstore/bookstore']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /SOURCE\s+PROTOCOL\s+PORTS\s+METHODS\s+PATH\s+HEADERS\s+GRANTED BY/);
    assert.match(run.stdout, /bookstore\/bookbuyer\s+http\s+14001\s+GET,POST\s+\^\/buy-a-book\/new/);
    assert.match(run.stdout, /monitoring\/prometheus\s+http\s+all\s+GET\s+\^\/metrics\$/);
    assert.match(run.stdout, /bookstore-v1\s+750\s+75\.0%/);
    assert.match(run.stdout, /Otherwise:\s+every other request is denied/);
  });

  test('explain -o json', async () => {
    const e = JSON.parse((await runCli(['explain', '-f', join(EXAMPLES, 'l4'), '--to', 'infra/server', '-o', 'json'])).stdout) as { access: { protocol: string; ports: string }[] };
    assert.deepEqual(e.access.map((r) => `${r.protocol} ${r.ports}`), ['tcp 8300,8301,8302', 'udp 8301,8302']);
  });

  test('graph as DOT and Mermaid', async () => {
    const dot = await runCli(['graph', '-f', BOOKSTORE]);
    assert.match(dot.stdout, /^digraph smi \{/);
    assert.match(dot.stdout, /"sa:bookstore\/bookbuyer" -> "sa:bookstore\/bookstore" \[label="GET \^\/books-bought/);
    assert.match(dot.stdout, /"svc:bookstore\/bookstore" -> "svc:bookstore\/bookstore-v2" \[label="250 \(25\.0%\)", style=dashed\]/);
    const mermaid = await runCli(['graph', '-f', BOOKSTORE, '-o', 'mermaid']);
    assert.match(mermaid.stdout, /^flowchart LR\n/);
    assert.doesNotMatch(dot.stdout, /bookthief" ->/, 'the thief has no edge');
  });
});

test('a diagnostic repeated for many objects is shown a few times and counted, not printed for each', async () => {
  const { formatDiagnostics } = await import('../../src/cli/format.js');
  const many = Array.from({ length: 50 }, (_, i) => ({ severity: 'warning' as const, code: 'LINKERD_UNDECLARED_PORTS', message: `ns/sa${String(i).padStart(2, '0')}: undeclared`, path: '' }));
  const few = [{ severity: 'error' as const, code: 'OTHER', message: 'once', path: '' }];
  const text = formatDiagnostics([...many, ...few]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 5, text);
  assert.match(text, /warning LINKERD_UNDECLARED_PORTS: ns\/sa00: undeclared/);
  assert.match(text, /… and 47 more warnings LINKERD_UNDECLARED_PORTS like these/);
  assert.match(text, /error OTHER: once/);
  assert.equal(formatDiagnostics(many.slice(0, 10)).trimEnd().split('\n').length, 10, 'ten or fewer: each shown');
});
