/**
 * A cluster held in memory, seen through the two interfaces the controller is built on: the reader
 * (kube/cache.ts ClusterReader) and the writer (kube/writer.ts ClusterWriter). Controller logic is
 * tested against it without HTTP, as controller-runtime's users test against its fake client; the API
 * test server stays for injected faults and the real kube-apiserver for end to end.
 *
 * It keeps the promises the API server keeps through those interfaces, and only those: server-side
 * apply by one field manager (fields smi applied and then leaves out are removed, fields others set
 * stay; status is never touched by an apply), generation bumped by a change outside metadata and
 * status, a status write to a missing object is a 404, an Event created twice is a 409 the writer
 * ignores, a kind the cluster does not serve is a 404, and a change reaches readers asynchronously,
 * after the write has returned, like a watch event. Admission (CRD schemas) is the test's to give.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CacheOptions, Change, ClusterReader, ReaderFactory } from '../../src/kube/cache.js';
import { FIELD_MANAGER, type ClusterWriter, type Writes } from '../../src/kube/writer.js';
import type { WatchedKind } from '../../src/api/watched-kinds.js';
import { toCachedForm } from '../../src/kube/cached-form.js';
import { parseAllDocuments } from 'yaml';
import { toHub } from './hub.js';

type Obj = KubernetesObject & Record<string, unknown> & { metadata: NonNullable<KubernetesObject['metadata']> };

export interface MemoryClusterOptions {
  /** A reason to refuse an object (as the API server's schema validation would, 422), or undefined to admit it. */
  readonly admit?: (object: Obj) => string | undefined;
  /** Whether the cluster serves this apiVersion and kind (default: every kind). */
  readonly serves?: (apiVersion: string, kind: string) => boolean;
}

class ApiError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

const keyOf = (o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const SPEC_EXCLUDED = new Set(['apiVersion', 'kind', 'metadata', 'status']);
const clone = <T>(x: T): T => structuredClone(x);

function selects(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k!] === v;
  });
}

/** What one field manager set on one object: labels, annotations, and top-level fields. */
interface Managed { labels: Set<string>; annotations: Set<string>; fields: Set<string>; ownerReferences: boolean }

export class MemoryCluster {
  private readonly objects = new Map<string, Obj>();
  private readonly managed = new Map<string, Managed>();
  private readonly readers = new Set<MemoryReader>();
  private version = 0;
  private uid = 0;

  constructor(private readonly options: MemoryClusterOptions = {}) {}

  /** The reader factory to hand the controller (ControllerOptions.reader). */
  readonly reader: ReaderFactory = (kinds, options) => {
    const r = new MemoryReader(this, kinds, options, () => this.readers.delete(r));
    this.readers.add(r);
    return r;
  };

  /** A writer with its own count of writes (a controller process's). */
  writer(): ClusterWriter {
    const writes: Writes = { applies: 0, deletes: 0, statuses: 0, events: 0 };
    return {
      writes,
      apply: async (object) => { const out = this.serverSideApply(object as Obj); writes.applies++; return out; },
      delete: async (object) => { if (this.remove(object as Obj)) writes.deletes++; },
      applyStatus: async (object, _plural, status) => { const stored = this.writeStatus(object, status); writes.statuses++; return stored.metadata.resourceVersion; },
      event: async (involved, type, reason, message, name) => {
        const event = {
          apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: involved.metadata.namespace, labels: { 'app.kubernetes.io/managed-by': 'smi' } },
          involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: involved.metadata.namespace, ...(involved.metadata.uid ? { uid: involved.metadata.uid } : {}) },
          type, reason, message: message.slice(0, 1024),
        } as Obj;
        if (!this.objects.has(keyOf(event))) this.store(event, 'add');
        writes.events++;
      },
    };
  }

  // What a person (kubectl) does: create or replace an object, delete it, read it.

  /** Creates, or replaces the object's own fields (metadata labels and annotations, spec…) keeping its status. */
  put(object: Record<string, unknown>): Obj {
    const o = clone(object) as Obj;
    this.admitted(o);
    const previous = this.objects.get(keyOf(o));
    const next = { ...o, metadata: { ...(previous?.metadata ?? {}), ...o.metadata } } as Obj;
    if (previous?.status !== undefined) next.status = previous.status;
    return this.store(next, previous ? 'update' : 'add', previous);
  }

  /** Every object of a YAML stream, SMI at the version served without the conversion webhook, namespaces created first when missing. */
  putYaml(text: string): void {
    const objects = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null).filter((o): o is Record<string, unknown> => o !== null).map(toHub);
    for (const ns of new Set(objects.map((o) => (o.metadata as { namespace?: string } | undefined)?.namespace).filter((n): n is string => Boolean(n)))) {
      if (!this.get('v1', 'Namespace', undefined, ns)) this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    for (const o of objects) this.put(o);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.objects.get(keyOf({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }));
    return o && clone(o);
  }

  list(apiVersion: string, kind: string, namespace?: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace)).map(clone);
  }

  /** Deletes; true when the object was there. */
  remove(object: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): boolean {
    const key = keyOf(object);
    const previous = this.objects.get(key);
    if (!previous) return false;
    this.objects.delete(key);
    this.managed.delete(key);
    this.notify({ type: 'delete', object: previous });
    return true;
  }

  /** Every object the reader of these kinds and options would hold. */
  holding(kind: WatchedKind, options: CacheOptions): Obj[] {
    const namespaces = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
    const selector = options.labelSelector?.(kind);
    const out: Obj[] = [];
    for (const o of this.objects.values()) if (this.visible(o, kind, namespaces, selector)) out.push(o);
    return out;
  }

  visible(o: Obj, kind: WatchedKind, namespaces: Set<string> | undefined, selector: string | undefined): boolean {
    return o.apiVersion === kind.apiVersion && o.kind === kind.kind
      && (!namespaces || !kind.namespaced || namespaces.has(o.metadata.namespace ?? ''))
      && selects(selector, o.metadata.labels);
  }

  private admitted(o: Obj): void {
    if (this.options.serves && !this.options.serves(String(o.apiVersion), String(o.kind))) throw new ApiError(404, `the server could not find the requested resource (${o.apiVersion} ${o.kind})`);
    const refused = this.options.admit?.(o);
    if (refused) throw new ApiError(422, `${o.kind} "${o.metadata.name}" is invalid: ${refused}`);
  }

  private serverSideApply(applied: Obj): Obj {
    const o = clone(applied);
    this.admitted(o);
    const key = keyOf(o);
    const previous = this.objects.get(key);
    const before = this.managed.get(key) ?? { labels: new Set<string>(), annotations: new Set<string>(), fields: new Set<string>(), ownerReferences: false };
    const next = (previous ? clone(previous) : { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } }) as Obj;
    // Labels and annotations: what smi set before and leaves out now goes; what others set stays.
    for (const part of ['labels', 'annotations'] as const) {
      const map: Record<string, string> = { ...(next.metadata[part] ?? {}) };
      for (const k of before[part]) if (!(k in (o.metadata[part] ?? {}))) delete map[k];
      Object.assign(map, o.metadata[part] ?? {});
      if (Object.keys(map).length > 0) next.metadata[part] = map; else delete next.metadata[part];
    }
    if (o.metadata.ownerReferences) next.metadata.ownerReferences = o.metadata.ownerReferences;
    else if (before.ownerReferences) delete next.metadata.ownerReferences;
    const fields = Object.keys(o).filter((k) => !SPEC_EXCLUDED.has(k));
    for (const f of before.fields) if (!fields.includes(f)) delete next[f];
    for (const f of fields) next[f] = o[f];
    this.managed.set(key, { labels: new Set(Object.keys(o.metadata.labels ?? {})), annotations: new Set(Object.keys(o.metadata.annotations ?? {})), fields: new Set(fields), ownerReferences: Boolean(o.metadata.ownerReferences) });
    // The field manager's entry, in the API server's format (what the controller reads back on Namespaces).
    const owned = (m?: Record<string, string>) => Object.fromEntries(Object.keys(m ?? {}).map((k) => [`f:${k}`, {}]));
    const entry = { manager: FIELD_MANAGER, operation: 'Apply', apiVersion: o.apiVersion, fieldsV1: { 'f:metadata': { 'f:labels': owned(o.metadata.labels), 'f:annotations': owned(o.metadata.annotations) }, ...Object.fromEntries(fields.map((f) => [`f:${f}`, {}])) } };
    next.metadata.managedFields = [...((next.metadata.managedFields ?? []) as { manager?: string }[]).filter((e) => e.manager !== FIELD_MANAGER), entry] as never;
    return clone(this.store(next, previous ? 'update' : 'add', previous));
  }

  private writeStatus(target: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }, status: unknown): Obj {
    const previous = this.objects.get(keyOf(target));
    if (!previous) throw new ApiError(404, `${target.kind} "${target.metadata.name}" not found`);
    return this.store({ ...clone(previous), status: clone(status) } as Obj, 'update', previous);
  }

  private store(o: Obj, type: 'add' | 'update', previous?: Obj): Obj {
    const changedSpec = !previous || JSON.stringify(Object.entries(o).filter(([k]) => !SPEC_EXCLUDED.has(k))) !== JSON.stringify(Object.entries(previous).filter(([k]) => !SPEC_EXCLUDED.has(k)));
    // The API server writes nothing, and sends no event, for an update that changes nothing.
    if (previous && JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, generation: undefined } }) === JSON.stringify({ ...previous, metadata: { ...previous.metadata, resourceVersion: undefined, generation: undefined } })) return previous;
    o.metadata.uid = previous?.metadata.uid ?? `uid-${++this.uid}`;
    o.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date(0);
    o.metadata.generation = (previous?.metadata.generation ?? 0) + (changedSpec ? 1 : 0);
    o.metadata.resourceVersion = String(++this.version);
    this.objects.set(keyOf(o), o);
    this.notify({ type, object: o });
    return o;
  }

  private notify(change: { type: Change['type']; object: Obj }): void {
    for (const r of this.readers) r.deliver(change.type, change.object);
  }
}

class MemoryReader implements ClusterReader {
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly held = new Map<WatchedKind, Map<string, KubernetesObject>>();
  private started = false;
  private readonly namespaces: Set<string> | undefined;

  constructor(private readonly cluster: MemoryCluster, private readonly kinds: readonly WatchedKind[], private readonly options: CacheOptions, private readonly close: () => void) {
    this.namespaces = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
  }

  onChange(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async start(): Promise<void> {
    for (const kind of this.kinds) this.held.set(kind, new Map(this.cluster.holding(kind, this.options).map((o) => [keyOf(o), this.cached(o, kind)])));
    this.started = true;
    // As client-node's ListWatch does: every listed object is handed out as an add, before start() resolves.
    for (const [kind, held] of this.held) for (const object of held.values()) for (const l of this.listeners) l({ kind, type: 'add', object });
    await new Promise((r) => setImmediate(r));
  }

  async stop(): Promise<void> {
    this.started = false;
    this.close();
  }

  /** A change in the cluster, delivered as a watch would: after the write returned, to readers that watch it. */
  deliver(type: Change['type'], object: Obj): void {
    if (!this.started) return;
    for (const kind of this.kinds) {
      if (object.apiVersion !== kind.apiVersion || object.kind !== kind.kind) continue;
      const key = keyOf(object);
      const copy = this.cached(object, kind);
      setImmediate(() => {
        if (!this.started) return;
        const held = this.held.get(kind)!;
        // An object whose labels no longer match the selector leaves the watch as a delete.
        const seen = type !== 'delete' && this.cluster.visible(object, kind, this.namespaces, this.options.labelSelector?.(kind));
        const was = held.has(key);
        if (!seen && !was) return;
        if (seen) held.set(key, copy); else held.delete(key);
        const delivered: Change['type'] = !seen ? 'delete' : was ? 'update' : 'add';
        for (const l of this.listeners) l({ kind, type: delivered, object: copy });
      });
    }
  }

  list(kind: WatchedKind): KubernetesObject[] {
    return [...(this.held.get(kind)?.values() ?? [])];
  }

  in(kind: WatchedKind, namespaces?: Iterable<string>): KubernetesObject[] {
    if (namespaces === undefined) return this.list(kind);
    const wanted = new Set(namespaces);
    return this.list(kind).filter((o) => wanted.has(o.metadata?.namespace ?? ''));
  }

  size(): number {
    let n = 0;
    for (const m of this.held.values()) n += m.size;
    return n;
  }

  private cached(o: Obj, kind: WatchedKind): KubernetesObject {
    return toCachedForm(clone(o), { keepStatus: kind.smi });
  }
}

/** Admission by CRD schemas, as the API server's validation would refuse: kinds without a schema there (core kinds) pass. */
export function schemaAdmission(schemas: { problems(o: { apiVersion: string; kind: string }): string[] }): (o: Obj) => string | undefined {
  return (o) => {
    if (!String(o.apiVersion).includes('.')) return undefined; // core and apps kinds: not CRDs
    const { status: _s, metadata, ...rest } = o;
    let problems: string[];
    try {
      problems = schemas.problems({ ...rest, metadata: { name: metadata.name } } as never);
    } catch {
      return `no such kind is served: ${o.apiVersion} ${o.kind}`;
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  };
}
