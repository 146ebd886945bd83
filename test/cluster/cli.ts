/**
 * `npm run cluster -- up [--dir DIR]`: builds what is missing, starts etcd, kube-apiserver and
 * kube-controller-manager on loopback, writes DIR/kubeconfig (cluster admin), prints `ready`, and on
 * SIGINT/SIGTERM stops them and deletes their data.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCluster } from './cluster.js';

const USAGE = 'usage: npm run cluster -- up [--dir DIR] [--no-controller-manager]';

async function main(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args[0] !== 'up') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const at = args.indexOf('--dir');
  const dir = at >= 0 && args[at + 1] ? resolve(args[at + 1]!) : mkdtempSync(join(tmpdir(), 'smi-cluster-'));
  const cluster = await startCluster({ dir, controllerManager: !args.includes('--no-controller-manager') });
  process.stdout.write(`kube-apiserver ${cluster.url}\nkubeconfig ${cluster.kubeconfig}\nready\n`);
  await new Promise<void>((done) => {
    const stop = () => void cluster.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write('stopped; data deleted\n');
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
