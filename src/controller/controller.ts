/**
 * The controller: informers feed a work queue; each reconcile computes the desired mesh resources
 * and statuses from the cache (desired.ts, pure) and writes only the difference with what is live —
 * server-side apply for what changed, then deletes for what smi wrote and no longer wants, then
 * statuses and Events. Writes happen only while leading (when leader election is on).
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import type { AccessMode } from '../policy/model.js';
import { Cache } from '../kube/cache.js';
import { INVENTORY_KINDS, smiKinds, type WatchedKind } from '../kube/kinds.js';
import { Writer } from '../kube/writer.js';
import { MANAGED_BY } from '../targets/naming.js';
import { findTarget } from '../targets/registry.js';
import type { MeshResource, Target, TranslateOptions } from '../targets/target.js';
import { sameStatus, withTransitionTimes, type SmiStatus } from './conditions.js';
import { desiredState, objectKey, type ClusterObject } from './desired.js';
import type { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';

export interface ControllerOptions {
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly mode: AccessMode;
  readonly namespaces?: readonly string[];
  readonly batchDelayMs?: number;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
}

const plural = (kind: string): string => {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? k : `${k}s`;
};

/** The kinds a target writes, as watched kinds (apiVersion/Kind strings in Target.writes). */
export function ownedKinds(target: Target, options: TranslateOptions): WatchedKind[] {
  const writes = [...target.writes, ...(target.name === 'gateway-api' && options.authz ? (findTarget(options.authz)?.writes ?? []) : [])];
  return [...new Set(writes)].map((w) => {
    const i = w.lastIndexOf('/');
    const kind = w.slice(i + 1);
    return { apiVersion: w.slice(0, i), kind, resource: plural(kind), namespaced: true, smi: false };
  });
}

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)])) : v;

/** What smi sets on a resource; the live object matches when these are equal. */
function fingerprint(r: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid?: string }[] }; spec?: unknown }, labelKeys: string[], annotationKeys: string[]): string {
  const pick = (m: Record<string, string> | undefined, keys: string[]) => Object.fromEntries(keys.map((k) => [k, m?.[k]]));
  return JSON.stringify(sortKeys({ spec: r.spec ?? null, labels: pick(r.metadata?.labels, labelKeys), annotations: pick(r.metadata?.annotations, annotationKeys), owners: (r.metadata?.ownerReferences ?? []).map((o) => o.uid).sort() }));
}

const resourceKey = (r: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): string => `${r.apiVersion}/${r.kind}/${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`;

export class Controller {
  private readonly smi = smiKinds();
  private readonly owned: WatchedKind[];
  private readonly cache: Cache;
  readonly writer: Writer;
  private readonly queue: WorkQueue;
  private leading = true;
  private readonly eventsSent = new Set<string>();
  private ready = false;

  constructor(kc: KubeConfig, private readonly options: ControllerOptions) {
    this.owned = ownedKinds(options.target, options.translate);
    const selector = `app.kubernetes.io/managed-by=${MANAGED_BY['app.kubernetes.io/managed-by']},smi-spec.io/mesh=${options.target.name}`;
    this.cache = new Cache(kc, [...this.smi, ...INVENTORY_KINDS, ...this.owned], {
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      labelSelector: (k) => (this.owned.includes(k) ? selector : undefined),
      onError: (k, e) => options.log.warn({ kind: k.kind, err: String(e) }, 'watch failed; restarting'),
    });
    this.writer = new Writer(kc);
    this.queue = new WorkQueue(() => this.reconcile(), { batchDelayMs: options.batchDelayMs ?? 20, backoffBaseMs: 100, backoffMaxMs: 30_000 }, (key, error, retryInMs) => {
      options.metrics.reconciles.inc({ result: 'error' });
      options.log.error({ key, err: error instanceof Error ? error.message : String(error), retryInMs }, 'reconcile failed; retrying');
    });
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Without leader election every replica writes; with it, only while leading. */
  setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics.leader.set(leading ? 1 : 0);
    if (leading) this.queue.add('sync', 0);
  }

  async start(): Promise<void> {
    this.cache.onChange(() => this.queue.add('sync'));
    await this.cache.start();
    this.ready = true;
    this.options.log.info({ cached: this.cache.size(), mesh: this.options.target.name }, 'caches synced');
    this.queue.add('sync', 0);
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.cache.stop();
  }

  /** Resolves when the queue is empty (tests and benchmarks). */
  idle(): Promise<void> {
    return this.queue.drain();
  }

  private async reconcile(): Promise<void> {
    const { metrics, log, target } = this.options;
    metrics.cached.set(this.cache.size());
    metrics.queueDepth.set(this.queue.depth);
    // Never act on a partial cache: a kind not listed yet would read as "delete everything of it".
    if (!this.leading || !this.ready) return;
    const end = metrics.duration.startTimer();
    const smi = this.smi.flatMap((k) => this.cache.list(k)) as ClusterObject[];
    const inventory = INVENTORY_KINDS.flatMap((k) => this.cache.list(k)) as ClusterObject[];
    const desired = desiredState(smi, inventory, target, this.options.translate, this.options.mode);
    log.debug({ smi: smi.length, inventory: inventory.length, resources: desired.resources.length }, 'desired state');

    const live = new Map<string, KubernetesObject>();
    for (const k of this.owned) for (const o of this.cache.list(k)) live.set(resourceKey(o), o);
    const wanted = new Map(desired.resources.map((r) => [resourceKey(r), r]));
    let applies = 0;
    let deletes = 0;
    // Writes first, deletes last: a reconcile cut short never removes before adding.
    for (const [key, r] of wanted) {
      const current = live.get(key) as MeshResource | undefined;
      const labels = Object.keys(r.metadata.labels ?? {});
      const annotations = Object.keys(r.metadata.annotations ?? {});
      if (current && fingerprint(current, labels, annotations) === fingerprint(r, labels, annotations)) continue;
      log.debug({ key, reason: current ? 'changed' : 'missing' }, 'apply');
      await this.writer.apply(r as KubernetesObject);
      metrics.writes.inc({ verb: 'apply' });
      applies++;
    }
    for (const [key, o] of live) {
      if (wanted.has(key)) continue;
      await this.writer.delete(o);
      metrics.writes.inc({ verb: 'delete' });
      deletes++;
    }
    let statuses = 0;
    const now = new Date().toISOString();
    for (const o of smi) {
      const key = objectKey(o);
      const next = desired.statuses.get(key);
      const previous = (o as { status?: SmiStatus }).status;
      if (!next || sameStatus(previous, next)) continue;
      await this.writer.applyStatus(o as never, withTransitionTimes(next, previous, now));
      metrics.writes.inc({ verb: 'status' });
      statuses++;
    }
    for (const [key, problems] of desired.problems) {
      const o = smi.find((x) => objectKey(x) === key);
      if (!o) continue;
      for (const p of problems) {
        const id = createHash('sha256').update(`${o.metadata?.uid}/${p.code}/${p.message}`).digest('hex').slice(0, 16);
        if (this.eventsSent.has(id)) continue;
        this.eventsSent.add(id);
        await this.writer.event(o as never, 'Warning', p.code, p.message, `${o.metadata?.name}.${id}`);
        metrics.writes.inc({ verb: 'event' });
      }
    }
    end();
    metrics.reconciles.inc({ result: 'ok' });
    if (applies + deletes + statuses > 0) log.info({ applies, deletes, statuses, resources: wanted.size }, 'reconciled');
  }
}
