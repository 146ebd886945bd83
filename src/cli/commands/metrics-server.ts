import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import pino from 'pino';
import type { CommandContext } from '../context.js';
import { runUntilSignal } from '../signals.js';
import { isLoopbackAddress } from '../../http/guard.js';
import { UsageError } from '../io.js';
import { MetricsApi } from '../../metrics/api.js';
import { MetricsServer } from '../../metrics/server.js';
import { Prometheus } from '../../metrics/prometheus.js';
import { clusterFronting, clusterResolver, clusterSplits } from '../../metrics/resolver.js';
import { loadKubeConfig } from '../../kube/config.js';
import { clusterFrontProxyTrust } from '../../metrics/cluster-trust.js';
import type { FrontProxyTrust } from '../../metrics/front-proxy.js';
import { metricsMeshes } from '../../targets/registry.js';
import { cachedAuthorizer, cachedTokenAuthenticator } from '../../metrics/access.js';
import { subjectAccessReviews, tokenReviews } from '../../kube/access-review.js';

interface Flags { kubeconfig?: string; clusterSelectors: boolean; prometheusUrl?: string; mesh: string; securePort: string; tlsCertFile?: string; tlsPrivateKeyFile?: string; bindAddress?: string; insecureServePlaintext?: boolean; requestheaderClientCaFile?: string; requestheaderAllowedNames?: string; prometheusTimeout: string; delegatedAuthorization: boolean; authorizationCacheTtl: string }

/** Whom to trust as the front proxy: the given CA file, else what the cluster publishes. */
async function frontProxyTrust(opts: Flags): Promise<FrontProxyTrust> {
  if (opts.requestheaderClientCaFile) {
    let clientCa: string;
    try {
      clientCa = readFileSync(opts.requestheaderClientCaFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--requestheader-client-ca-file: ${e instanceof Error ? e.message : String(e)}`);
    }
    const allowedNames = (opts.requestheaderAllowedNames ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
    return { clientCa, allowedNames, usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] };
  }
  if (opts.requestheaderAllowedNames) throw new UsageError('--requestheader-allowed-names goes with --requestheader-client-ca-file (otherwise the cluster names them)');
  if (!opts.clusterSelectors) throw new UsageError('with TLS and --no-cluster-selectors, --requestheader-client-ca-file is required: nothing else says whom to trust');
  return clusterFrontProxyTrust(loadKubeConfig(opts.kubeconfig));
}

export function metricsServerCommand(_ctx: CommandContext): Command {
  return new Command('metrics-server')
    .summary('serve the TrafficMetrics API (metrics.smi-spec.io) from Prometheus')
    .description(
      'Serves metrics.smi-spec.io v1alpha1 and v1alpha2 as an aggregated API: namespaces, deployments, pods, daemonsets, ' +
        'statefulsets, their edges, ?window=30s|1m|5m. Counts and latency percentiles come from the mesh\'s own metrics in ' +
        'Prometheus (docs/metrics.md). With TLS, only the aggregation layer is served: a client certificate from the ' +
        'front-proxy CA (--requestheader-client-ca-file, or read from kube-system/extension-apiserver-authentication ' +
        'as Kubernetes aggregated servers do), with an allowed name and a user header, or a bearer token the cluster ' +
        'confirms (TokenReview); then each request is authorized for that user by the cluster (SubjectAccessReview, answers ' +
        'cached --authorization-cache-ttl), so reaching the server past the API server grants nothing RBAC does not. ' +
        'The ServiceAccount needs system:auth-delegator (smi install binds it). Health probes need neither.' +
        '\n\nRuns until SIGTERM or SIGINT.',
    )
    .option('--prometheus-url <url>', 'Prometheus HTTP API base URL')
    .addOption(new Option('--mesh <mesh>', 'whose metric names to read').choices(metricsMeshes()).makeOptionMandatory())
    .option('--secure-port <port>', 'port to serve on', '6443')
    .option('--bind-address <ip>', 'address to listen on (default: 0.0.0.0 with TLS; 127.0.0.1 without, where nothing authenticates a caller)')
    .option('--insecure-serve-plaintext', 'without TLS, listen on a non-loopback --bind-address anyway: anyone who reaches it reads every TrafficMetrics')
    .option('--tls-cert-file <file>', 'serving certificate (PEM)')
    .option('--tls-private-key-file <file>', 'private key (PEM)')
    .option('--requestheader-client-ca-file <file>', 'CA of the aggregation layer\'s client certificates (default: read from the cluster)')
    .option('--requestheader-allowed-names <names>', 'comma-separated common names the front proxy\'s certificate may carry (with --requestheader-client-ca-file; default: any)')
    .option('--prometheus-timeout <ms>', 'give up on Prometheus after this long (then 503)', '5000')
    .option('--kubeconfig <file>', 'cluster access for label selectors (default: in-cluster or ~/.kube/config)')
    .option('--no-cluster-selectors', 'do not reach the cluster: label selectors are refused (and, without the cluster, requests are not authorized by it)')
    .option('--no-delegated-authorization', 'with TLS, do not ask the cluster whether each user may read (the API server\'s own check alone)')
    .option('--authorization-cache-ttl <ms>', 'how long an access or token review answer is reused', '10000')
    .action(async (opts: Flags) => {
      if (!opts.prometheusUrl) throw new UsageError('--prometheus-url is required');
      if (Boolean(opts.tlsCertFile) !== Boolean(opts.tlsPrivateKeyFile)) throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
      const plaintextOutward = !opts.tlsCertFile && opts.bindAddress !== undefined && !isLoopbackAddress(opts.bindAddress);
      if (plaintextOutward && !opts.insecureServePlaintext) {
        throw new UsageError(`--bind-address ${opts.bindAddress} without TLS would serve every TrafficMetrics to anyone who reaches it: give --tls-cert-file and --tls-private-key-file, or say --insecure-serve-plaintext`);
      }
      const log = pino({ base: { component: 'smi-metrics-server' } });
      // One cluster connection for everything the server asks the cluster (selectors, splits, Services, reviews).
      const cluster = opts.clusterSelectors ? loadKubeConfig(opts.kubeconfig) : undefined;
      const api = new MetricsApi({
        mesh: opts.mesh, prometheus: new Prometheus(opts.prometheusUrl, Number(opts.prometheusTimeout)),
        ...(cluster ? { resolveSelector: clusterResolver(cluster), resolveSplits: clusterSplits(cluster), resolveFronting: clusterFronting(cluster) } : {}),
      });
      const frontProxy = opts.tlsCertFile ? await frontProxyTrust(opts) : undefined;
      const ttl = Number(opts.authorizationCacheTtl);
      if (!Number.isFinite(ttl) || ttl < 0) throw new UsageError(`--authorization-cache-ttl takes milliseconds, got "${opts.authorizationCacheTtl}"`);
      const delegated = Boolean(frontProxy) && opts.delegatedAuthorization && opts.clusterSelectors;
      const kc = delegated ? cluster : undefined;
      const server = await new MetricsServer(api, {
        port: Number(opts.securePort),
        ...(opts.bindAddress ? { host: opts.bindAddress } : {}),
        onError: (e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'request failed'),
        ...(kc ? { access: { authorize: cachedAuthorizer(subjectAccessReviews(kc), { allowedTtlMs: ttl, deniedTtlMs: ttl }), tokens: cachedTokenAuthenticator(tokenReviews(kc), { allowedTtlMs: ttl, deniedTtlMs: ttl }) } } : {}),
        ...(opts.tlsCertFile && opts.tlsPrivateKeyFile ? { tls: { certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, ...(frontProxy ? { frontProxy } : {}) } } : {}),
      }).start();
      if (plaintextOutward) log.warn({ bindAddress: opts.bindAddress }, 'serving without TLS on a non-loopback address (--insecure-serve-plaintext): anyone who reaches it reads every TrafficMetrics');
      if (frontProxy && !delegated) log.warn('requests are not authorized by the cluster (--no-delegated-authorization or --no-cluster-selectors): whoever the front proxy names may read every TrafficMetrics');
      log.info({ port: server.port, address: opts.bindAddress ?? (opts.tlsCertFile ? '0.0.0.0' : '127.0.0.1'), mesh: opts.mesh, tls: Boolean(opts.tlsCertFile), delegatedAuthorization: delegated }, 'serving TrafficMetrics');
      await runUntilSignal(() => server.stop());
    });
}
