import { Command } from 'commander';
import pino from 'pino';
import type { CommandContext } from '../context.js';
import { runUntilSignal } from '../signals.js';
import { UsageError } from '../io.js';
import { WebhookServer } from '../../webhooks/server.js';
import { Cache } from '../../kube/cache.js';
import { loadKubeConfig } from '../../kube/config.js';
import { smiKinds } from '../../kube/kinds.js';

interface WebhookFlags {
  port: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  kubeconfig?: string;
  clusterChecks: boolean;
  maxBodyBytes: string;
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
    .action(async (opts: WebhookFlags) => {
      if (!opts.tlsCertFile || !opts.tlsPrivateKeyFile) throw new UsageError('--tls-cert-file and --tls-private-key-file are required: the webhooks are served over TLS only');
      const log = pino({ base: { component: 'smi-webhook' } });
      let cache: Cache | undefined;
      const kinds = smiKinds();
      if (opts.clusterChecks) {
        cache = new Cache(loadKubeConfig(opts.kubeconfig), kinds, { onError: (k, e) => log.warn({ kind: k.kind, err: String(e) }, 'watch failed; restarting') });
        await cache.start();
      }
      const cluster = cache
        ? { objects: (namespace: string, kind: string) => { const k = kinds.find((x) => x.kind === kind); return k ? (cache!.in(k, [namespace]) as never) : []; } }
        : undefined;
      const server = await new WebhookServer({ port: Number(opts.port), certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, maxBodyBytes: Number(opts.maxBodyBytes), ...(cluster ? { cluster } : {}), onError: (e) => log.warn({ err: String(e) }, 'webhook') }).start();
      log.info({ port: server.port, clusterChecks: Boolean(cache) }, 'webhook serving');
      await runUntilSignal(() => Promise.all([server.stop(), cache?.stop()]));
    });
}
