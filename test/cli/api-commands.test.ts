import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { COMMANDS } from '../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples');

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'smi-cli-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('smi validate', () => {
  test('the bundled examples are valid', async () => {
    const run = await runCli(['validate', EXAMPLES]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /0 errors, 0 warnings/, 'the summary is the result: stdout');
  });

  test('compiler-style output and exit 1 on errors', async () => {
    const file = tempFile('bad.yaml', 'apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata: { name: s }\nspec:\n  service: web\n  backends: [{ service: web-v1, weight: -1 }]\n');
    const run = await runCli(['validate', '-n', 'default', file]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.split('\n')[0], `${file}:6:41: error SMI_SPLIT_WEIGHT_NEGATIVE: weight -1 is negative; weights are whole numbers ≥ 0 (spec.backends[0].weight)`);
  });

  test('exit 2 for input that cannot be read, as in every command; diagnostics on stderr', async () => {
    const run = await runCli(['validate', 'no-such-file.yaml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no-such-file\.yaml: error SMI_PATH_NOT_FOUND/);
    const check = await runCli(['check', '-f', 'no-such-file.yaml', '--from', 'a/b', '--to', 'c/d']);
    assert.equal(check.code, 2);
  });

  test('a missing required option of a subcommand is a usage error (exit 2), not a finding', async () => {
    for (const args of [['route-groups', 'from-openapi', 'x.yaml'], ['route-groups', 'from-proto', 'x.proto'], ['route-groups', 'check']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /required option/);
    }
  });

  test('-o json prints the diagnostics with every field', async () => {
    const file = tempFile('bad.yaml', 'apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata: { name: p }\nspec: { matches: { ports: [0] } }\n');
    const run = await runCli(['validate', '-n', 'default', '-o', 'json', file]);
    assert.equal(run.code, 1);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows, [{
      severity: 'error', code: 'SMI_PORT_RANGE', message: '0 is out of range: must be between 1 and 65535',
      path: 'spec.matches.ports[0]', file, line: 4, column: 28, object: 'TCPRoute/default/p',
    }]);
  });

  test('reads stdin with -', async () => {
    const run = await runCli(['validate', '-'], 'apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata: { name: p }\n');
    assert.equal(run.code, 0, run.stdout);
    const bad = await runCli(['validate', '-', '-o', 'json'], 'apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoutes\n');
    assert.equal(bad.code, 1);
    assert.equal((JSON.parse(bad.stdout) as { file: string }[])[0]!.file, '<stdin>');
  });

  test('warnings alone exit 0; --strict turns missing references into errors', async () => {
    const file = tempFile('tt.yaml', 'apiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\nmetadata: { name: t }\nspec:\n  destination: { kind: ServiceAccount, name: a }\n  rules: [{ kind: TCPRoute, name: r }]\n  sources: [{ kind: ServiceAccount, name: b }]\n');
    assert.equal((await runCli(['validate', file])).code, 0);
    assert.equal((await runCli(['validate', '--strict', file])).code, 1);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await runCli(['validate'])).code, 2);
    assert.equal((await runCli(['validate', '-o', 'xml', EXAMPLES])).code, 2);
    assert.equal((await runCli(['frobnicate'])).code, 2);
  });

  test('smi webhook --workers: unreadable certificates stop it at once with the reason (no restart loop of workers)', async () => {
    const r = await runCli(['webhook', '--tls-cert-file', '/nonexistent/tls.crt', '--tls-private-key-file', '/nonexistent/tls.key', '--workers', '2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read the serving certificate: .*nonexistent\/tls\.crt/);
    assert.equal((await runCli(['webhook', '--tls-cert-file', 'a', '--tls-private-key-file', 'b', '--workers', '0'])).code, 2);
  });
});

describe('smi convert', () => {
  test('converts to an old version and back to the same documents', async () => {
    const down = await runCli(['convert', '--to', 'split.smi-spec.io/v1alpha1', '--to', 'access.smi-spec.io/v1alpha1', '--to', 'specs.smi-spec.io/v1alpha1', EXAMPLES]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /warning SMI_CONVERSION_LOSSY/);
    const downFile = tempFile('down.yaml', down.stdout);
    const docs = parseAllDocuments(down.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string });
    assert.ok(docs.some((d) => d.apiVersion === 'split.smi-spec.io/v1alpha1'));
    assert.ok(docs.every((d) => !d.apiVersion.endsWith('smi-spec.io/v1alpha4') || d.kind === 'UDPRoute'));
    const up = await runCli(['convert', '--to', 'split.smi-spec.io/v1alpha4', '--to', 'access.smi-spec.io/v1alpha3', '--to', 'specs.smi-spec.io/v1alpha4', downFile]);
    assert.equal(up.code, 0, up.stderr);
    const original = await runCli(['convert', '--to', 'split.smi-spec.io/v1alpha4', '--to', 'access.smi-spec.io/v1alpha3', '--to', 'specs.smi-spec.io/v1alpha4', EXAMPLES]);
    assert.deepEqual(parseAllDocuments(up.stdout).map((d) => d.toJS()), parseAllDocuments(original.stdout).map((d) => d.toJS()));
  });

  test('non-SMI documents pass through unchanged and -o json gives a List', async () => {
    const file = tempFile('mixed.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: { name: s }\nspec:\n  service: web\n  backends: [{ service: a, weight: 3 }]\n');
    const run = await runCli(['convert', '--to', 'split.smi-spec.io/v1alpha4', '-o', 'json', file]);
    assert.equal(run.code, 0, run.stderr);
    const list = JSON.parse(run.stdout) as { kind: string; items: { apiVersion: string }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => i.apiVersion), ['v1', 'split.smi-spec.io/v1alpha4']);
  });

  test('invalid input prints nothing on stdout and exits 1; a bad --to exits 2', async () => {
    const file = tempFile('bad.yaml', 'apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata: { name: s }\nspec: { service: web, backends: [] }\n');
    const run = await runCli(['convert', '--to', 'split.smi-spec.io/v1alpha1', file]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal((await runCli(['convert', '--to', 'split.smi-spec.io/v9', file])).code, 2);
    assert.equal((await runCli(['convert', '--to', 'nothing.example.com/v1', file])).code, 2);
  });
});

describe('smi crds and smi version', () => {
  test('crds prints one CRD per kind as YAML', async () => {
    const run = await runCli(['crds']);
    assert.equal(run.code, 0);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    assert.deepEqual(docs.map((d) => d.metadata.name).sort(), [
      'httproutegroups.specs.smi-spec.io', 'identitybindings.access.smi-spec.io', 'tcproutes.specs.smi-spec.io',
      'traffictargets.access.smi-spec.io', 'trafficsplits.split.smi-spec.io', 'udproutes.specs.smi-spec.io',
    ].sort());
    assert.match(run.stderr, /conversion-webhook/);
  });

  test('--conversion-webhook adds the stanza; a malformed value is a usage error', async () => {
    const run = await runCli(['crds', '--conversion-webhook', 'smi-system/smi-webhook', '-o', 'json']);
    const list = JSON.parse(run.stdout) as { items: { spec: { conversion?: { strategy: string } } }[] };
    assert.equal(list.items.filter((c) => c.spec.conversion?.strategy === 'Webhook').length, 4);
    assert.equal((await runCli(['crds', '--conversion-webhook', 'nonamespace'])).code, 2);
  });

  test('version, text and json', async () => {
    assert.match((await runCli(['version'])).stdout, /^smi \d+\.\d+\.\d+/);
    const json = JSON.parse((await runCli(['version', '-o', 'json'])).stdout) as { version: string; apis: unknown[] };
    assert.equal(json.apis.length, 8);
  });

  test('every command has --help', async () => {
    for (const make of COMMANDS) {
      const name = make({ io: { stdout() {}, stderr() {}, readStdin: async () => Buffer.alloc(0) }, programName: 'smi', exitCode: 0 }).name();
      const run = await runCli([name, '--help']);
      assert.equal(run.code, 0, name);
      assert.match(run.stdout, new RegExp(`Usage: smi ${name}`));
    }
  });
});

describe('the installed binaries', () => {
  test('bin/smi.js runs the built CLI', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/smi.js'), 'validate', EXAMPLES], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /^\d+ SMI object\(s\) and \d+ other object\(s\) in \d+ file\(s\): 0 errors, 0 warnings\n$/);
    const bad = spawnSync(process.execPath, [join(ROOT, 'bin/smi.js'), 'validate', '/nonexistent/x.yaml'], { encoding: 'utf8' });
    assert.equal(bad.status, 2, 'input that cannot be read is a usage problem');
    assert.match(bad.stderr, /SMI_PATH_NOT_FOUND/);
  });

  test('kubectl finds it as a plugin: kubectl smi version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-plugin-'));
    symlinkSync(join(ROOT, 'bin/kubectl-smi.js'), join(dir, 'kubectl-smi'));
    const run = spawnSync('kubectl', ['smi', 'version'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^smi \d+\.\d+\.\d+/);
    const help = spawnSync('kubectl', ['smi', '--help'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.match(help.stdout, /Usage: kubectl smi/);
  });
});

describe('help reads like kubectl\'s', () => {
  test('a command\'s own options come first, the translation\'s (common and each mesh\'s) after', async () => {
    for (const command of ['translate', 'check', 'diff', 'controller', 'install']) {
      const help = (await runCli([command, '--help'])).stdout;
      const own = help.indexOf('--mesh');
      const mesh = help.indexOf('--linkerd-default-policy');
      assert.ok(own > 0 && mesh > own, `${command}: --mesh before the mesh flags`);
      assert.ok(help.indexOf('--trust-domain') > own, `${command}: common translation flags after the command's own`);
    }
  });

  test('descriptions are prose that commander wraps once: no line broken mid-sentence and wrapped again', async () => {
    const { reflow } = await import('../../src/cli/main.js');
    assert.equal(reflow('one line\ncontinues\n\nnext paragraph\n  indented stays\n- a list item stays'), 'one line continues\n\nnext paragraph\n  indented stays\n- a list item stays');
    const help = (await runCli(['translate', '--help'])).stdout;
    // Before: the source's own break after "(or --out-dir)," survived commander's wrapping, leaving a short line.
    assert.doesNotMatch(help, /\(or --out-dir\),\ndiagnostics/);
    assert.match(help, /\(or --out-dir\),\s+diagnostics to stderr/);
  });
});
