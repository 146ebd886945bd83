import nodeCluster from 'node:cluster';
import { Command } from 'commander';
import pino from 'pino';
import type { CommandContext } from '../context.js';
import { runUntilSignal } from '../signals.js';
import { UsageError } from '../io.js';
import { WebhookServer } from '../../webhooks/server.js';
import { CertificateFiles } from '../../webhooks/tls.js';
import { Cache } from '../../kube/cache.js';
import { clusterViewOf } from '../../kube/cluster-view.js';
import { loadKubeConfig } from '../../kube/config.js';
import { smiKinds } from '../../api/watched-kinds.js';

interface WebhookFlags {
  port: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  kubeconfig?: string;
  clusterChecks: boolean;
  maxBodyBytes: string;
  workers: string;
}

/**
 * Several processes on one port (node:cluster): Node answers on one core per process, and TLS and
 * JSON are most of a review's cost. The primary only starts them, restarts one that dies, and passes
 * SIGTERM and SIGINT on.
 */
async function runWorkers(count: number, log: pino.Logger): Promise<void> {
  let stopping = false;
  const start = (): void => void nodeCluster.fork().on('exit', (code, signal) => {
    if (stopping) return;
    // A second apart: a worker that cannot start must not turn into a busy loop of forks.
    log.warn({ code, signal }, 'webhook worker exited; starting another in 1 s');
    setTimeout(() => stopping || start(), 1000);
  });
  for (let i = 0; i < count; i++) start();
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      const workers = Object.values(nodeCluster.workers ?? {}).filter((w) => w !== undefined);
      let left = workers.length;
      if (left === 0) resolve();
      for (const w of workers) {
        w.once('exit', () => --left === 0 && resolve());
        w.process.kill('SIGTERM');
      }
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  process.exit(0);
}

export function webhookCommand(_ctx: CommandContext): Command {
  return new Command('webhook')
    .summary('serve the SMI admission and conversion webhooks over TLS')
    .description(
      'POST /validate: admission.k8s.io/v1 AdmissionReview for every SMI kind (the checks of `smi validate`, and, with cluster\n' +
        'access, a second TrafficSplit for one root service and missing route groups). POST /convert: apiextensions.k8s.io/v1\n' +
        'ConversionReview between every SMI version. TLS only; the certificate files are reloaded when they change.\n' +
        '(`smi controller --webhook-port` serves the same inside the controller.) Runs until SIGTERM or SIGINT.',
    )
    .option('--port <port>', 'HTTPS port', '9443')
    .option('--tls-cert-file <file>', 'serving certificate (PEM)')
    .option('--tls-private-key-file <file>', 'private key (PEM)')
    .option('--kubeconfig <file>', 'kubeconfig for the cross-object checks (default: in-cluster or ~/.kube/config)')
    .option('--no-cluster-checks', 'do not watch the cluster; validate each object on its own')
    .option('--max-body-bytes <n>', 'largest review accepted', String(3 * 1024 * 1024))
    .option('--workers <n>', 'processes serving on the port, one core each (each keeps its own watch for the cluster checks)', '1')
    .action(async (opts: WebhookFlags) => {
      if (!opts.tlsCertFile || !opts.tlsPrivateKeyFile) throw new UsageError('--tls-cert-file and --tls-private-key-file are required: the webhooks are served over TLS only');
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers takes a whole number from 1 to 64, got "${opts.workers}"`);
      const log = pino({ base: { component: 'smi-webhook', ...(nodeCluster.isWorker ? { worker: nodeCluster.worker?.id } : {}) } });
      if (workers > 1 && nodeCluster.isPrimary) {
        // What would stop every worker stops the primary first, with the reason, instead of a restart loop.
        try {
          new CertificateFiles(opts.tlsCertFile, opts.tlsPrivateKeyFile).load();
        } catch (e) {
          throw new UsageError(`cannot read the serving certificate: ${e instanceof Error ? e.message : String(e)}`);
        }
        return runWorkers(workers, log);
      }
      let cache: Cache | undefined;
      const kinds = smiKinds();
      if (opts.clusterChecks) {
        cache = new Cache(loadKubeConfig(opts.kubeconfig), kinds, { onError: (k, e) => log.warn({ kind: k.kind, err: String(e) }, 'watch failed; restarting') });
        await cache.start();
      }
      const cluster = cache ? clusterViewOf(cache, kinds) : undefined;
      const server = await new WebhookServer({ port: Number(opts.port), certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, maxBodyBytes: Number(opts.maxBodyBytes), ...(cluster ? { cluster } : {}), onError: (e) => log.warn({ err: String(e) }, 'webhook'), onWarning: (message) => log.warn(message) }).start();
      log.info({ port: server.port, clusterChecks: Boolean(cache) }, 'webhook serving');
      await runUntilSignal(() => Promise.all([server.stop(), cache?.stop()]));
    });
}
