/**
 * The controller: informers feed a work queue; each reconcile computes the desired mesh resources
 * and statuses from the cache (desired.ts, pure), decides everything it will write as one plan
 * (write-plan.ts, pure: applies, namespace annotations, deletes, statuses, Events), and runs that plan
 * through the injected writer — applies first, deletes last. `--dry-run` reports the same plan's
 * changes instead. Writes happen only while leading (when leader election is on).
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AccessMode } from '../policy/model.js';
import { Cache, type ClusterReader, type ReaderFactory } from '../kube/cache.js';
import { INVENTORY_KINDS, NAMESPACE_KIND, smiKinds, type WatchedKind } from '../api/watched-kinds.js';
import { describeScope } from '../policy/scope.js';
import { Writer, type ClusterWriter } from '../kube/writer.js';
import { MANAGED_BY, SOURCE_ANNOTATION } from '../targets/naming.js';
import type { Target, TranslateOptions } from '../targets/target.js';
import { withTransitionTimes, withWriteFailure } from './conditions.js';
import { type DesiredState, desiredState, objectKey, type ClusterObject } from './desired.js';
import { DESIRED_HASH, resourceKey, type LiveResource, type PlannedChange } from './plan.js';
import { planWrites, statusesToWrite, type WritePlan } from './write-plan.js';
import type { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import { NamespacedDesired, type NamespaceObjects } from './partitioned.js';
import type { ClusterView } from '../webhooks/admission.js';
import { clusterViewOf } from '../kube/cluster-view.js';
import { namespacePatch, ownsAny, setsAny } from './namespace-fields.js';

export interface ControllerOptions {
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly mode: AccessMode;
  readonly namespaces?: readonly string[];
  readonly batchDelayMs?: number;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  /** Compute and report what would be written and deleted; write nothing (not even statuses or Events). */
  readonly dryRun?: boolean;
  /** Where writes go; default the API server of the kubeconfig (kube/writer.ts). */
  readonly writer?: ClusterWriter;
  /** Where reads come from; default an informer cache on the API server of the kubeconfig (kube/cache.ts). */
  readonly reader?: ReaderFactory;
}

/** The resource name Kubernetes and the CRDs smi writes use for a kind: NetworkPolicy → networkpolicies, Gateway → gateways, ServiceDefaults as it is. */
export const plural = (kind: string): string => {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (k.endsWith('s')) return k;
  return /(x|ch|sh)$/.test(k) ? `${k}es` : `${k}s`;
};

/** The kinds a target writes, as watched kinds (apiVersion/Kind strings in Target.writes). */
export function ownedKinds(target: Target, options: TranslateOptions): WatchedKind[] {
  const writes = target.writesWith?.(options) ?? target.writes;
  return [...new Set(writes)].map((w) => {
    const i = w.lastIndexOf('/');
    const kind = w.slice(i + 1);
    return { apiVersion: w.slice(0, i), kind, resource: plural(kind), namespaced: true, smi: false };
  });
}

const EVENT_SELECTOR = 'app.kubernetes.io/managed-by=smi';

/** Requests in flight at once: the API server works in parallel, and one round trip at a time would dominate. */
export const WRITE_CONCURRENCY = 16;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item).catch((e: unknown) => errors.push(e));
    }
  }));
  if (errors.length > 0) throw errors[0];
}


/** The queue's keys: one per namespace, and one for what only the whole cluster can answer. */
const CLUSTER = '*';
const namespaceKey = (ns: string): string => `ns:${ns}`;

export class Controller {
  private readonly smi = smiKinds();
  /** smi's own Events, so a restarted controller does not post them again. */
  private readonly eventKind: WatchedKind = { apiVersion: 'v1', kind: 'Event', resource: 'events', namespaced: true, smi: false };
  private readonly owned: WatchedKind[];
  private readonly cache: ClusterReader;
  readonly writer: ClusterWriter;
  private readonly queue: WorkQueue;
  private leading = true;
  private readonly eventsSent = new Set<string>();
  /** Namespace → in scope, as last reconciled: to log and export changes. */
  private readonly scope = new Map<string, boolean>();
  private scopeChanged = false;
  /** Namespace labels decide the scope unless -n names it. */
  private readonly namespaceKinds: WatchedKind[];
  private ready = false;
  /** Whether a change costs its namespace (the target with these options reads nothing across namespaces) or the cluster. */
  private readonly namespaceLocal: boolean;
  /** For targets translated by namespace: each namespace's exports, and who reads them. */
  private readonly partitioned: NamespacedDesired | undefined;
  /** Namespaces whose exports the cluster pass refreshed and whose key has not run since. */
  private readonly exportsFresh = new Set<string>();

  /** kc may be left out only when both the reader and the writer are given. */
  constructor(kc: KubeConfig | undefined, private readonly options: ControllerOptions) {
    if (!kc && !(options.reader && options.writer)) throw new Error('Controller: a kubeconfig, or both a reader and a writer');
    this.owned = ownedKinds(options.target, options.translate);
    this.namespaceLocal = options.target.namespaceLocal?.(options.translate) ?? false;
    const partition = this.namespaceLocal ? undefined : options.target.partition?.(options.translate);
    this.partitioned = partition && new NamespacedDesired(partition, options.target, options.translate, options.mode, options.namespaces);
    this.namespaceKinds = options.namespaces && options.namespaces.length > 0 ? [] : [NAMESPACE_KIND];
    const selector = `app.kubernetes.io/managed-by=${MANAGED_BY['app.kubernetes.io/managed-by']},smi-spec.io/mesh=${options.target.name}`;
    const reader: ReaderFactory = options.reader ?? ((kinds, cacheOptions) => new Cache(kc!, kinds, cacheOptions));
    this.cache = reader([...this.smi, ...INVENTORY_KINDS, ...this.namespaceKinds, ...this.owned, this.eventKind], {
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      labelSelector: (k) => (this.owned.includes(k) ? selector : k === this.eventKind ? EVENT_SELECTOR : undefined),
      onError: (k, e) => options.log.warn({ kind: k.kind, apiVersion: k.apiVersion, err: String(e) }, 'watch failed; restarting'),
      // A mesh kind the cluster does not serve must not hold everything else up: writing it fails, and says so.
      optional: (k) => this.owned.includes(k),
    });
    this.writer = options.writer ?? new Writer(kc!);
    // One key at a time: writes of different keys never race. A cold start or resync visits every
    // namespace in the queue's bulk lane, so a change that arrives meanwhile goes ahead of it.
    this.queue = new WorkQueue((key) => this.reconcile(key), { batchDelayMs: options.batchDelayMs ?? 20, backoffBaseMs: 100, backoffMaxMs: 30_000, concurrency: 1 }, (key, error, retryInMs) => {
      options.metrics.reconciles.inc({ result: 'error' });
      options.log.error({ key, err: error instanceof Error ? error.message : String(error), retryInMs }, 'reconcile failed; retrying');
    });
  }

  /** The SMI objects in the cache, for the admission webhook's cross-object checks. */
  clusterView(): ClusterView {
    return clusterViewOf(this.cache, this.smi);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Without leader election every replica writes; with it, only while leading. */
  setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics.leader.set(leading ? 1 : 0);
    if (leading) this.queue.add(CLUSTER, 0);
  }

  /** The key a change in this namespace costs: its own, where the target can work a namespace at a time; the cluster's otherwise. */
  private keyOf(namespace: string | undefined): string {
    return (this.namespaceLocal || this.partitioned) && namespace ? namespaceKey(namespace) : CLUSTER;
  }

  async start(): Promise<void> {
    this.cache.onChange((c) => {
      if (c.kind === this.eventKind) return;
      // A deletion is never an echo: its object may still carry the version this process wrote
      // (a write the server found unchanged leaves its entry), and a deleted deny policy must come back.
      const echo = this.isEcho(c.kind, c.object) && c.type !== 'delete';
      // The cache now shows this object as the server has it: what smi applied to it no longer needs remembering.
      if (this.owned.includes(c.kind)) this.applied.delete(resourceKey({ ...c.object, apiVersion: c.kind.apiVersion, kind: c.kind.kind }));
      if (c.kind === NAMESPACE_KIND) this.annotated.delete(c.object.metadata?.name ?? '');
      const namespace = c.kind === NAMESPACE_KIND ? c.object.metadata?.name : c.object.metadata?.namespace;
      if (namespace !== undefined) this.exportsFresh.delete(namespace); // changed since the cluster pass read it
      // This process's own write coming back changes nothing it has not already planned for.
      if (echo) return;
      // What the first listing delivers is the sweep's to visit, not a change to put ahead of it.
      this.queue.add(this.keyOf(namespace), undefined, this.ready ? 'change' : 'bulk');
    });
    await this.cache.start();
    this.ready = true;
    this.options.log.info({ cached: this.cache.size(), mesh: this.options.target.name }, 'caches synced');
    this.queue.add(CLUSTER, 0);
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.cache.stop();
  }

  /** Resolves when the queue is empty (tests and benchmarks). */
  idle(): Promise<void> {
    return this.queue.drain();
  }

  /**
   * One key: a namespace (its desired state, planned and written), or the cluster — which, for targets
   * that work a namespace at a time, only hands out every namespace's key (after refreshing every
   * namespace's exports, for targets translated by namespace), and otherwise reconciles everything.
   * A key that fails is retried on its own, with its own backoff.
   */
  private async reconcile(key: string): Promise<void> {
    const { metrics } = this.options;
    metrics.cached.set(this.cache.size());
    metrics.queueDepth.set(this.queue.depth);
    // Never act on a partial cache: a kind not listed yet would read as "delete everything of it".
    if (!this.leading || !this.ready) return;
    if (key === CLUSTER) {
      if (this.partitioned) {
        // Exports first, every namespace's, before any translation reads them.
        const all = [...new Set([...this.namespacesHeld(), ...this.partitioned.known()])].sort();
        const affected = new Set<string>();
        for (const ns of all) for (const n of this.partitioned.refresh(ns, this.objectsIn(new Set([ns])), false)) affected.add(n);
        for (const ns of all) this.exportsFresh.add(ns);
        for (const ns of [...affected].sort()) this.queue.add(namespaceKey(ns), 0, 'bulk');
      } else if (this.namespaceLocal) {
        for (const ns of this.namespacesHeld()) this.queue.add(namespaceKey(ns), 0, 'bulk');
      } else {
        await this.reconcileScope('all');
      }
    } else {
      const namespace = key.slice('ns:'.length);
      // Its exports may have changed (unless the cluster pass just refreshed them): the namespaces that read them are translated again too.
      if (this.partitioned && !this.exportsFresh.delete(namespace)) {
        for (const ns of this.partitioned.refresh(namespace, this.objectsIn(new Set([namespace])))) if (ns !== namespace) this.queue.add(namespaceKey(ns));
      }
      await this.reconcileScope(new Set([namespace]));
    }
    this.logScope();
  }

  /** Every namespace holding something smi reads or wrote, sorted. */
  private namespacesHeld(): string[] {
    const namespaces = new Set<string>();
    for (const k of [...this.smi, ...INVENTORY_KINDS, ...this.owned]) for (const o of this.cache.list(k)) namespaces.add(o.metadata?.namespace ?? '');
    // Namespaces smi annotated: to give the annotation back once nothing there needs it.
    for (const k of this.namespaceKinds) for (const o of this.cache.list(k)) if (ownsAny(o)) namespaces.add(o.metadata?.name ?? '');
    for (const ns of this.annotated.keys()) namespaces.add(ns);
    return [...namespaces].sort();
  }

  /** The SMI objects and inventory (Namespace objects included) of these namespaces, or of all. */
  private objectsIn(namespaces: Set<string> | undefined): NamespaceObjects {
    const smi = this.smi.flatMap((k) => this.cache.in(k, namespaces)) as ClusterObject[];
    const namespaceObjects = this.namespaceKinds.flatMap((k) => this.cache.list(k)).filter((n) => !namespaces || namespaces.has(n.metadata?.name ?? ''));
    const inventory = [...INVENTORY_KINDS.flatMap((k) => this.cache.in(k, namespaces)), ...namespaceObjects] as ClusterObject[];
    return { smi, inventory };
  }

  /**
   * What this controller applied (resource key → intent hash) that the cache has not shown back yet:
   * a reconcile before the watch event arrives must not take the lagging cache for a missing object.
   */
  private readonly applied = new Map<string, string>();

  /**
   * Object → the resourceVersion this process's last write of it produced, until the watch brings that
   * version back. Such an event is the write's echo: the reconcile that wrote it already planned from
   * everything else, so it queues nothing — before, every namespace a cold start wrote was reconciled a
   * second time by its own echoes, for nothing. Any other version is someone else's change and is
   * reconciled. A write the server found to change nothing sends no event and leaves its entry until
   * the object's next event (at most one entry per object).
   */
  private readonly written = new Map<string, string>();

  private static writtenKey(apiVersion: string, kind: string, namespace: string | undefined, name: string | undefined): string {
    const slash = apiVersion.indexOf('/');
    return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}/${namespace ?? ''}/${name ?? ''}`;
  }

  private noteWritten(object: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string; resourceVersion?: string } } | undefined, resourceVersion = object?.metadata?.resourceVersion): void {
    if (!object?.apiVersion || !object.kind || resourceVersion === undefined) return;
    this.written.set(Controller.writtenKey(object.apiVersion, object.kind, object.metadata?.namespace, object.metadata?.name), resourceVersion);
  }

  private isEcho(kind: WatchedKind, object: KubernetesObject): boolean {
    const key = Controller.writtenKey(kind.apiVersion, kind.kind, object.metadata?.namespace, object.metadata?.name);
    const mine = this.written.get(key);
    if (mine === undefined) return false;
    this.written.delete(key);
    return mine === object.metadata?.resourceVersion;
  }

  /** Namespace → the annotations this process applied there (JSON), until the cache shows them. */
  private readonly annotated = new Map<string, string>();

  /** What a dry run would change now, by resource key. */
  private readonly pending = new Map<string, PlannedChange>();

  /** The changes a dry run has found and not written: the report of `--dry-run`. */
  plan(): PlannedChange[] {
    return [...this.pending.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  private notePlan(changes: readonly PlannedChange[], looked: Set<string> | undefined): void {
    const { log, metrics } = this.options;
    for (const [key, c] of this.pending) if (!looked || looked.has(c.namespace)) this.pending.delete(key);
    for (const c of changes) {
      const before = this.pending.get(c.key);
      this.pending.set(c.key, c);
      if (!before || before.verb !== c.verb || before.fields.join() !== c.fields.join()) {
        log.info({ verb: c.verb, kind: c.kind, namespace: c.namespace, name: c.name, ...(c.fields.length > 0 ? { fields: c.fields } : {}) }, `dry run: would ${c.verb}`);
      }
    }
    for (const verb of ['create', 'update', 'delete'] as const) metrics.dryRunPending.set({ verb }, this.plan().filter((c) => c.verb === verb).length);
  }

  /** Logs namespaces entering or leaving smi's scope and exports it as a metric. */
  private noteScope(scope: DesiredState['scope'], looked: Set<string> | undefined): void {
    const { log, metrics } = this.options;
    const changes: string[] = [];
    for (const [ns, why] of scope.why) {
      if (looked && !looked.has(ns)) continue;
      const inside = scope.namespaces.has(ns);
      if (this.scope.get(ns) !== inside) {
        changes.push(ns);
        log.info({ namespace: ns, inScope: inside, why }, inside ? 'namespace in smi\'s scope' : 'namespace left alone (outside smi\'s scope)');
      }
      this.scope.set(ns, inside);
      metrics.inScope.set({ namespace: ns }, inside ? 1 : 0);
    }
    if (changes.length > 0) this.scopeChanged = true;
  }

  /** One line with the whole scope, at start and whenever it changed. */
  private logScope(): void {
    if (!this.scopeChanged) return;
    this.scopeChanged = false;
    const namespaces = new Set([...this.scope].filter(([, inside]) => inside).map(([ns]) => ns));
    const why = new Map([...this.scope.keys()].map((ns) => [ns, '']));
    this.options.log.info({ scope: describeScope({ namespaces, why, explicit: Boolean(this.options.namespaces?.length) }) }, 'scope');
  }

  private async reconcileScope(scope: Set<string> | 'all'): Promise<void> {
    const { metrics, log, target } = this.options;
    if (scope !== 'all' && scope.size === 0) return;
    const namespaces = scope === 'all' ? undefined : scope;
    const end = metrics.duration.startTimer();
    const { smi, inventory } = this.objectsIn(namespaces);
    const only = namespaces?.size === 1 ? [...namespaces][0] : undefined;
    const desired = this.partitioned && only !== undefined ? this.partitioned.desired(only, { smi, inventory })
      : desiredState(smi, inventory, target, this.options.translate, this.options.mode, this.options.namespaces);
    this.noteScope(desired.scope, namespaces);
    log.debug({ scope: scope === 'all' ? 'all' : [...scope], smi: smi.length, inventory: inventory.length, resources: desired.resources.length }, 'desired state');

    const live = this.owned.flatMap((k) => this.cache.in(k, namespaces)) as LiveResource[];
    const plan = planWrites({
      desired, smi, live, looked: namespaces,
      namespaces: new Map(this.namespaceKinds.flatMap((k) => this.cache.list(k)).map((n) => [n.metadata?.name ?? '', n])),
      applied: this.applied, annotated: this.annotated, sentEvents: this.eventsSent,
      postedEvents: new Set(this.cache.in(this.eventKind, namespaces).map((e) => `${e.metadata?.namespace}/${e.metadata?.name}`)),
    });
    if (this.options.dryRun) {
      this.notePlan(plan.changes, namespaces);
      end();
      metrics.reconciles.inc({ result: 'ok' });
      return;
    }
    const done = await this.execute(plan);
    end();
    if (done.refused.length > 0) throw new Error(`${done.refused.length} write(s) refused, first: ${done.refused[0]!.message}`);
    metrics.reconciles.inc({ result: 'ok' });
    if (done.applies + done.deletes + done.statuses > 0) log.info({ applies: done.applies, deletes: done.deletes, statuses: done.statuses, resources: desired.resources.length }, 'reconciled');
  }

  /**
   * Runs a plan: applies (and namespace annotations) first, deletes last, so a reconcile cut short never
   * removes before adding; a kind whose applies were refused keeps its old resources (a replacement may
   * be what failed), and the SMI objects they came from say so in their status.
   */
  private async execute(plan: WritePlan): Promise<{ applies: number; deletes: number; statuses: number; refused: { kind: string; message: string }[] }> {
    const { log, metrics } = this.options;
    const fields = new Map(plan.changes.map((c) => [c.key, c.fields]));
    const refused: { kind: string; message: string }[] = [];
    const refusedSources = new Map<string, string>();
    await inParallel(plan.applies, WRITE_CONCURRENCY, async (r) => {
      log.debug({ key: resourceKey(r), fields: fields.get(resourceKey(r)) }, 'apply');
      try {
        this.noteWritten(await this.writer.apply(r as KubernetesObject));
      } catch (e) {
        const message = `${r.kind} ${r.metadata.namespace}/${r.metadata.name} (${r.apiVersion}): ${e instanceof Error ? e.message : String(e)}`;
        refused.push({ kind: `${r.apiVersion}/${r.kind}`, message });
        for (const source of (r.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',')) if (source !== '' && !refusedSources.has(source)) refusedSources.set(source, message);
        return;
      }
      this.applied.set(resourceKey(r), r.metadata.annotations?.[DESIRED_HASH] ?? '');
      metrics.writes.inc({ verb: 'apply' });
    });
    await inParallel(plan.annotations, WRITE_CONCURRENCY, async (w) => {
      const fields = { annotations: w.annotations, ...(w.labels ? { labels: w.labels } : {}) };
      this.noteWritten(await this.writer.apply(namespacePatch(w.name, fields) as KubernetesObject));
      if (setsAny(fields)) this.annotated.set(w.name, JSON.stringify(fields));
      else this.annotated.delete(w.name);
      log.info({ namespace: w.name, ...fields }, setsAny(fields) ? 'annotated (or labelled) the namespace' : "gave back smi's annotations and labels on the namespace");
      metrics.writes.inc({ verb: 'apply' });
    });
    const held = new Set(refused.map((f) => f.kind));
    const toDelete = plan.deletes.filter((o) => !held.has(`${o.apiVersion}/${o.kind}`));
    await inParallel(toDelete, WRITE_CONCURRENCY, async (o) => {
      await this.writer.delete(o as KubernetesObject);
      metrics.writes.inc({ verb: 'delete' });
    });
    const now = new Date().toISOString();
    const statuses = statusesToWrite(plan.statuses, refusedSources, withWriteFailure);
    await inParallel(statuses, WRITE_CONCURRENCY, async ({ object: o, planned, previous }) => {
      log.debug({ key: objectKey(o), previous, next: planned }, 'status');
      this.noteWritten(o, await this.writer.applyStatus(o as never, this.smi.find((k) => k.kind === o.kind)!.resource, withTransitionTimes(planned, previous, now)));
      metrics.writes.inc({ verb: 'status' });
    });
    await inParallel(plan.events, WRITE_CONCURRENCY, async (e) => {
      this.eventsSent.add(e.id);
      await this.writer.event(e.object as never, 'Warning', e.code, e.message, `${e.object.metadata?.name}.${e.id}`);
      metrics.writes.inc({ verb: 'event' });
    });
    return { applies: plan.applies.length + plan.annotations.length, deletes: toDelete.length, statuses: statuses.length, refused };
  }
}
