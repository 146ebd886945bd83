/**
 * Builds the real Kubernetes servers the end-to-end tests run — kube-apiserver and
 * kube-controller-manager from k8s.io/kubernetes, etcd from go.etcd.io/etcd — from the pinned Go
 * module in test/cluster/servers, once per version, into a cache outside the clone
 * ($SMI_TEST_SERVERS_CACHE, default ~/.cache/smi-test-servers/<versions>/), so every clone and CI run
 * on the machine reuses them. Prints progress while building: the first build takes minutes.
 * Run directly (`node --import tsx test/cluster/build.ts`) it builds what is missing and prints the folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const MODULE = resolve(import.meta.dirname, 'servers');
export const SERVERS = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
export type Server = (typeof SERVERS)[number];

/** The versions pinned in the module: the cache key. */
export function versions(): { kubernetes: string; etcd: string } {
  const mod = readFileSync(join(MODULE, 'go.mod'), 'utf8');
  const kubernetes = /k8s\.io\/kubernetes (v[\w.-]+)/.exec(mod)?.[1];
  const etcd = /go\.etcd\.io\/etcd\/server\/v3 (v[\w.-]+)/.exec(mod)?.[1];
  if (!kubernetes || !etcd) throw new Error(`cannot read the pinned versions from ${join(MODULE, 'go.mod')}`);
  return { kubernetes, etcd };
}

/** Bumped when the way the servers are built changes (r2: Kubernetes' version stamped in), so older builds are not reused. */
const BUILD = 'r2';

export function binDir(): string {
  const v = versions();
  const root = process.env.SMI_TEST_SERVERS_CACHE ?? join(homedir(), '.cache', 'smi-test-servers');
  return join(root, `kubernetes-${v.kubernetes}-etcd-${v.etcd}-${BUILD}`);
}

/**
 * The version Kubernetes' own build stamps into its servers (hack/lib/version.sh sets these in
 * k8s.io/component-base/version), so /version reads as the released server's and `kubectl version`
 * can parse it. The build date is the release's, from the module proxy; the git commit is not known
 * from a module download and stays empty rather than invented.
 */
function versionFlags(server: Server): string[] {
  if (server === 'etcd') return [];
  const { kubernetes } = versions();
  const [, major = '', minor = ''] = /^v(\d+)\.(\d+)/.exec(kubernetes) ?? [];
  const listed = spawnSync('go', ['list', '-m', '-json', 'k8s.io/kubernetes'], { cwd: MODULE, env: { ...process.env, GOFLAGS: '-mod=mod' }, encoding: 'utf8' });
  const time = listed.status === 0 ? (JSON.parse(listed.stdout) as { Time?: string }).Time : undefined;
  const pkg = 'k8s.io/component-base/version';
  const set = { gitVersion: kubernetes, gitMajor: major, gitMinor: minor, gitTreeState: 'clean', gitCommit: '', ...(time ? { buildDate: time } : {}) };
  return ['-ldflags', Object.entries(set).map(([k, v]) => `-X '${pkg}.${k}=${v}'`).join(' ')];
}

export const binary = (server: Server): string => join(binDir(), server);

function build(server: Server, out: string, log: (line: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const tmp = `${out}.building-${process.pid}`;
    const child = spawn('go', ['build', '-trimpath', ...versionFlags(server), '-o', tmp, `./${server}`], { cwd: MODULE, env: { ...process.env, GOFLAGS: '-mod=mod' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const tick = setInterval(() => log(`  … still building ${server} (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
    child.on('exit', (code) => {
      clearInterval(tick);
      if (code !== 0) return fail(new Error(`go build ${server} failed (exit ${code}):\n${stderr.slice(-4000)}`));
      renameSync(tmp, out);
      log(`  built ${server} in ${Math.round((Date.now() - started) / 1000)} s`);
      done();
    });
    child.on('error', (e) => {
      clearInterval(tick);
      fail(new Error(`cannot run go (needed to build the Kubernetes servers the end-to-end tests run): ${e.message}`));
    });
  });
}

/** Builds whatever is missing; returns the folder holding the binaries. */
export async function ensureServers(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const dir = binDir();
  const missing = SERVERS.filter((s) => !existsSync(join(dir, s)));
  if (missing.length === 0) return dir;
  mkdirSync(dir, { recursive: true });
  const v = versions();
  log(`building ${missing.join(', ')} (Kubernetes ${v.kubernetes}, etcd ${v.etcd}) into ${dir}; the first build takes several minutes on 2 cores`);
  // One at a time: they share most packages, and the Go build cache makes the later ones quick.
  for (const s of missing) await build(s, join(dir, s), log);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  ensureServers().then((dir) => process.stdout.write(`${dir}\n`), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
