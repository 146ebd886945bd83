/** Shared by the end-to-end tests on the real control plane (test/cluster): kubectl with a kubeconfig, files, mesh CRDs. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REFERENCE = resolve(import.meta.dirname, '../reference/crds');

export interface Kubectl {
  (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** With text on stdin (`-f -`). */
  input(text: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function kubectlFor(kubeconfig: string): Kubectl {
  const cache = mkdtempSync(join(tmpdir(), 'smi-kubectl-cache-'));
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', cache];
  const k = (async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('kubectl', [...base, ...args], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  }) as Kubectl;
  k.input = (text, ...args) => new Promise((resolvePromise) => {
    const p = spawn('kubectl', [...base, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    p.stdin.end(text);
  });
  return k;
}

export function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'smi-e2e-')), name);
  writeFileSync(file, text);
  return file;
}

/** Installs a mesh's reference CRDs (server-side: some are too large for client-side apply's annotation). */
export async function installMeshCrds(kubectl: Kubectl, folder: string): Promise<void> {
  for (const f of readdirSync(join(REFERENCE, folder)).sort()) {
    const r = await kubectl('apply', '--server-side', '--force-conflicts', '-f', join(REFERENCE, folder, f));
    if (r.code !== 0) throw new Error(`installing ${folder}/${f}: ${r.stderr}`);
  }
  const est = await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
  if (est.code !== 0) throw new Error(`CRDs not established: ${est.stderr}`);
}

/**
 * `smi install --mesh M --webhook none | kubectl apply --server-side`, then a kubeconfig with a token
 * of the installed controller's ServiceAccount, so the real RBAC decides what the controller may do.
 */
export async function installController(cluster: { url: string; dir: string; pki: { ca: string } }, kubectl: Kubectl, mesh: string, flags: readonly string[] = []): Promise<string> {
  const { runCli } = await import('../support/cli.js');
  const { kubeconfigText } = await import('../cluster/cluster.js');
  const install = await runCli(['install', '--mesh', mesh, '--webhook', 'none', ...flags]);
  if (install.code !== 0) throw new Error(`smi install: ${install.stderr}`);
  const applied = await kubectl.input(install.stdout, 'apply', '--server-side', '--force-conflicts', '-f', '-');
  if (applied.code !== 0) throw new Error(`applying the install: ${applied.stderr}`);
  const token = await kubectl('create', 'token', 'smi-controller', '-n', 'smi-system', '--duration', '2h');
  if (token.code !== 0) throw new Error(`a token for smi-controller: ${token.stderr}`);
  const kubeconfig = join(cluster.dir, `smi-controller-${mesh}.kubeconfig`);
  writeFileSync(kubeconfig, kubeconfigText(cluster.url, cluster.pki.ca, { token: token.stdout.trim() }));
  return kubeconfig;
}
