/**
 * The controller process around the reconcile loop: kubeconfig, structured JSON logs (pino),
 * /healthz and /readyz, /metrics (prom-client), leader election, and graceful shutdown.
 */
import { guarded, requestUrl, type Handler } from '../http/guard.js';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { loadKubeConfig } from '../kube/config.js';
import { LeaderElector } from '../kube/lease.js';
import type { AccessMode } from '../policy/model.js';
import type { Target, TranslateOptions } from '../targets/target.js';
import { Controller } from './controller.js';
import { ControllerMetrics } from './metrics.js';
import { WebhookServer } from '../webhooks/server.js';

export interface RuntimeOptions {
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly mode: AccessMode;
  readonly kubeconfig?: string;
  readonly namespaces?: readonly string[];
  readonly leaderElect?: { readonly namespace: string; readonly name: string; readonly leaseDurationSeconds: number; readonly retryPeriodMs: number; readonly identity?: string };
  /** host:port or :port; undefined = not served. */
  readonly metricsAddr?: string;
  readonly healthAddr?: string;
  readonly log?: Logger;
  readonly batchDelayMs?: number;
  /** Report what would change; write nothing. */
  readonly dryRun?: boolean;
  /** Serve the admission and conversion webhooks too, with the controller's cache for cross-object checks. */
  readonly webhook?: { readonly port: number; readonly certFile: string; readonly keyFile: string };
}

export interface Running {
  readonly controller: Controller;
  readonly metrics: ControllerMetrics;
  readonly elector?: LeaderElector;
  readonly ports: { metrics?: number; health?: number; webhook?: number };
  stop(): Promise<void>;
}

function listen(addr: string, handler: Handler): Promise<{ server: Server; port: number }> {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i) || '0.0.0.0';
  const port = Number(addr.slice(i + 1));
  const server = createServer(guarded(handler, () => {}));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

export async function runController(options: RuntimeOptions): Promise<Running> {
  const log = options.log ?? pino({ base: { component: 'smi-controller' } });
  const kc = loadKubeConfig(options.kubeconfig);
  const metrics = new ControllerMetrics();
  const controller = new Controller(kc, {
    target: options.target, translate: options.translate, mode: options.mode, log, metrics,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.batchDelayMs !== undefined ? { batchDelayMs: options.batchDelayMs } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  const servers: Server[] = [];
  const ports: { metrics?: number; health?: number; webhook?: number } = {};
  if (options.metricsAddr) {
    const m = await listen(options.metricsAddr, (req, res) => {
      if (requestUrl(req)?.pathname !== '/metrics') return void res.writeHead(404).end();
      return metrics.registry.metrics().then((text) => void res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text));
    });
    servers.push(m.server);
    ports.metrics = m.port;
  }
  if (options.healthAddr) {
    const h = await listen(options.healthAddr, (req, res) => {
      if (req.url === '/healthz') return void res.writeHead(200).end('ok');
      if (req.url === '/readyz') return void res.writeHead(controller.isReady ? 200 : 503).end(controller.isReady ? 'ok' : 'caches not synced');
      // The dry run's report: what the controller would create, update and delete now.
      if (req.url === '/plan') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${JSON.stringify({ dryRun: Boolean(options.dryRun), changes: controller.plan() }, null, 2)}\n`);
      res.writeHead(404).end();
    });
    servers.push(h.server);
    ports.health = h.port;
  }

  let elector: LeaderElector | undefined;
  if (options.leaderElect) {
    controller.setLeading(false);
    const identity = options.leaderElect.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    elector = new LeaderElector(kc, { ...options.leaderElect, identity }, {
      onStartedLeading: () => {
        log.info({ identity }, 'started leading');
        controller.setLeading(true);
      },
      onStoppedLeading: () => {
        log.warn({ identity }, 'stopped leading');
        controller.setLeading(false);
      },
      // A lease the server refuses must not look like patiently standing by.
      onError: (e) => log.error({ identity, err: e instanceof Error ? e.message : String(e) }, 'leader election failed'),
    });
  } else controller.setLeading(true);

  await controller.start();
  elector?.start();
  const webhook = options.webhook
    ? await new WebhookServer({ ...options.webhook, cluster: controller.clusterView(), onError: (e) => log.warn({ err: String(e) }, 'webhook'), onWarning: (message) => log.warn(message) }).start()
    : undefined;
  if (webhook) ports.webhook = webhook.port;
  log.info({ mesh: options.target.name, mode: options.mode, namespaces: options.namespaces ?? 'all', leaderElection: Boolean(elector), dryRun: Boolean(options.dryRun) }, options.dryRun ? 'controller started (dry run: nothing is written)' : 'controller started');

  return {
    controller, metrics, ports,
    ...(elector ? { elector } : {}),
    async stop() {
      await webhook?.stop();
      await elector?.stop();
      await controller.stop();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      log.info('controller stopped');
    },
  };
}
