/**
 * An informer cache over @kubernetes/client-node's ListWatch: one informer per kind (cluster-wide or
 * per namespace), restarted with backoff when its watch fails (the API server restarted, the
 * connection dropped); ListWatch itself re-lists after 410 Gone and resumes from the last
 * resourceVersion otherwise. Listeners hear every add, update and delete.
 */
import { CustomObjectsApi, KubernetesObjectApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { kindPath, typedItems, type WatchedKind } from '../api/watched-kinds.js';
import { toCachedForm } from './cached-form.js';
import { fromClientModel } from './wire.js';
import { groupBy } from '../group-by.js';


/** Objects per list page (client-go's pager default). */
const LIST_PAGE = 500;
export type Change = { readonly kind: WatchedKind; readonly type: 'add' | 'update' | 'delete'; readonly object: KubernetesObject };

export interface CacheOptions {
  readonly namespaces?: readonly string[];
  /** For kinds the controller writes: only its own objects. */
  readonly labelSelector?: (kind: WatchedKind) => string | undefined;
  readonly onError?: (kind: WatchedKind, error: unknown) => void;
  /**
   * Kinds the cluster may not serve (a mesh's CRDs not installed yet): a failed first list counts as
   * synced-empty instead of holding start() up; the informer keeps retrying and fills in later.
   */
  readonly optional?: (kind: WatchedKind) => boolean;
  readonly backoffMs?: { readonly initial: number; readonly max: number };
}

/** What the controller reads through: an informer cache (Cache), or anything that keeps the same promises. */
export interface ClusterReader {
  /** Every add, update and delete, after start() and after the change is visible to list(). */
  onChange(fn: (c: Change) => void): () => void;
  /** Resolves once every kind has been listed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  list(kind: WatchedKind): KubernetesObject[];
  in(kind: WatchedKind, namespaces?: Iterable<string>): KubernetesObject[];
  size(): number;
}

/** Builds the reader for the kinds the controller watches, with the cache's options (namespaces, label selectors). */
export type ReaderFactory = (kinds: readonly WatchedKind[], options: CacheOptions) => ClusterReader;

export class Cache implements ClusterReader {
  private readonly informers: { kind: WatchedKind; informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>; failures: number }[] = [];
  private readonly listeners = new Set<(c: Change) => void>();
  private stopped = false;
  /** Objects of a kind by namespace, built on first use after a change to that kind. */
  private readonly byNamespace = new Map<WatchedKind, Map<string, KubernetesObject[]>>();
  private readonly api: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(private readonly kc: KubeConfig, private readonly kinds: readonly WatchedKind[], private readonly options: CacheOptions = {}) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /**
   * One page of a list. Kinds of an API group (every CRD, apps) go through the custom objects API in
   * pages, which hands the list back as served. Core kinds are listed whole: client-node reads a list
   * it has no model of under that exact name (every CRD, and core Events, whose model is CoreV1EventList)
   * as one plain object and drops `metadata.continue`, so a paged list of them would stop at the first
   * page (it did: 500 of 2,393 Events cached, the rest posted again on a restart).
   */
  private async page(kind: WatchedKind, namespace: string | undefined, selector: string | undefined, next: string | undefined): Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string }; next?: string }> {
    const [group, version] = kind.apiVersion.split('/');
    if (group !== undefined && version !== undefined) {
      const request = { group, version, plural: kind.resource, labelSelector: selector, limit: LIST_PAGE, _continue: next };
      const raw = (namespace ? await this.custom.listNamespacedCustomObject({ ...request, namespace }) : await this.custom.listClusterCustomObject(request)) as { items?: KubernetesObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      return { ...raw, items: raw.items ?? [], ...(raw.metadata?.continue ? { next: raw.metadata.continue } : {}) };
    }
    return this.api.list(kind.apiVersion, kind.kind, namespace, undefined, undefined, undefined, undefined, selector);
  }

  onChange(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts every informer; resolves when each has listed once. */
  async start(): Promise<void> {
    const scopes = this.options.namespaces && this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];
    const starts: Promise<void>[] = [];
    for (const kind of this.kinds) {
      for (const ns of scopes) {
        const selector = this.options.labelSelector?.(kind);
        let synced!: () => void;
        const ready = new Promise<void>((resolve) => (synced = resolve));
        const informer = makeInformer<KubernetesObject>(
          this.kc, kindPath(kind, ns),
          async () => {
            // In pages where the kind has a group (page()), as client-go's pager lists: each page trimmed to
            // the cached form before the next is asked for, so a restart never holds every kind's whole
            // answer at once (the pages of one list are one snapshot: the last page's resourceVersion is the list's).
            const items: KubernetesObject[] = [];
            let page;
            let next: string | undefined;
            do {
              page = await this.page(kind, ns, selector, next);
              for (const item of typedItems(page.items, kind)) items.push(toCachedForm(fromClientModel(item), { keepStatus: kind.smi }));
              next = page.next;
            } while (next);
            const { next: _last, ...list } = page;
            synced();
            return { ...list, items } as never;
          },
          selector,
        );
        const entry = { kind, informer, failures: 0 };
        this.informers.push(entry);
        for (const type of ['add', 'update', 'delete'] as const) {
          informer.on(type, (object: KubernetesObject) => {
            // The informer hands out the object it stores: trimming it here trims the cache.
            toCachedForm(object, { keepStatus: kind.smi });
            entry.failures = 0;
            this.byNamespace.delete(kind);
            for (const l of this.listeners) l({ kind, type, object });
          });
        }
        informer.on('error', (error: unknown) => {
          if (this.stopped) return;
          if (this.options.optional?.(kind)) synced();
          this.options.onError?.(kind, error);
          const { initial, max } = this.options.backoffMs ?? { initial: 200, max: 10_000 };
          const delay = Math.min(max, initial * 2 ** entry.failures++);
          setTimeout(() => void (this.stopped ? undefined : informer.start().catch(() => undefined)), delay);
        });
        void informer.start();
        starts.push(ready);
      }
    }
    await Promise.all(starts);
    // ListWatch files the listed items just after the list resolves: let it.
    await new Promise((r) => setImmediate(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.informer.stop()));
  }

  /** Every cached object of a kind. */
  list(kind: WatchedKind): KubernetesObject[] {
    return this.informers.filter((i) => i.kind === kind).flatMap((i) => i.informer.list());
  }

  /** Cached objects of a kind in some namespaces (all namespaces when `namespaces` is undefined). */
  in(kind: WatchedKind, namespaces?: Iterable<string>): KubernetesObject[] {
    if (namespaces === undefined) return this.list(kind);
    let index = this.byNamespace.get(kind);
    if (!index) {
      index = groupBy(this.list(kind), (o) => o.metadata?.namespace ?? '');
      this.byNamespace.set(kind, index);
    }
    const out: KubernetesObject[] = [];
    for (const ns of namespaces) out.push(...(index.get(ns) ?? []));
    return out;
  }

  size(): number {
    return this.informers.reduce((n, i) => n + i.informer.list().length, 0);
  }
}
