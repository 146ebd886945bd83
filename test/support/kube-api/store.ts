/**
 * The API server's storage: objects by type, namespace and name; one resourceVersion counter for
 * everything (as etcd's revision); an event log that watches replay from, compacted to its last
 * entries (older resourceVersions answer 410 Gone); generation, uid, timestamps; finalizers and
 * garbage collection of dependents by owner references.
 */
import { randomUUID } from 'node:crypto';
import { storageKey, type ResourceType } from './resources.js';
import type { Json } from './managed-fields.js';

export type Obj = { [k: string]: Json } & { metadata: Meta };
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  [k: string]: Json | undefined;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** storage key group/resource */
  readonly type_: string;
  readonly rv: number;
  readonly object: Obj;
}

export class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

const specOf = (o: Obj): string => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind')));

export class Store {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly log: WatchEvent[] = [];
  private compactedBefore = 1;
  private readonly listeners = new Set<(e: WatchEvent) => void>();

  constructor(private readonly logLimit = 10_000, private readonly now: () => string = () => new Date().toISOString()) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may still start after. */
  get oldest(): number {
    return this.compactedBefore;
  }

  subscribe(fn: (e: WatchEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events after `rv`, or undefined when they were compacted away. */
  since(rv: number): WatchEvent[] | undefined {
    if (rv < this.compactedBefore - 1) return undefined;
    return this.log.filter((e) => e.rv > rv);
  }

  /** Drops the event log, as etcd compaction does: watches from before now get 410 Gone. */
  compact(): void {
    this.log.length = 0;
    this.compactedBefore = this.rv + 1;
  }

  private bucket(t: ResourceType): Map<string, Obj> {
    const k = storageKey(t);
    let b = this.objects.get(k);
    if (!b) this.objects.set(k, (b = new Map()));
    return b;
  }

  private emit(type: WatchEvent['type'], t: ResourceType, object: Obj): void {
    const event: WatchEvent = { type, type_: storageKey(t), rv: this.rv, object: structuredClone(object) };
    this.log.push(event);
    if (this.log.length > this.logLimit) {
      const dropped = this.log.splice(0, this.log.length - this.logLimit);
      this.compactedBefore = (dropped[dropped.length - 1]?.rv ?? this.compactedBefore) + 1;
    }
    for (const l of this.listeners) l(event);
  }

  get(t: ResourceType, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.bucket(t).get(`${namespace ?? ''}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  list(t: ResourceType, namespace: string | undefined): Obj[] {
    const out: Obj[] = [];
    for (const o of this.bucket(t).values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(structuredClone(o));
    return out.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }

  all(): { type: string; object: Obj }[] {
    return [...this.objects].flatMap(([type, b]) => [...b.values()].map((object) => ({ type, object })));
  }

  create(t: ResourceType, object: Obj): Obj {
    const b = this.bucket(t);
    const k = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (b.has(k)) throw new ApiError(409, 'AlreadyExists', `${t.resource}${t.group ? `.${t.group}` : ''} "${object.metadata.name}" already exists`, { name: object.metadata.name, group: t.group, kind: t.resource });
    this.rv++;
    const stored: Obj = structuredClone(object);
    stored.metadata = { ...stored.metadata, uid: randomUUID(), resourceVersion: String(this.rv), generation: 1, creationTimestamp: this.now() };
    delete stored.metadata.deletionTimestamp;
    b.set(k, stored);
    this.emit('ADDED', t, stored);
    return structuredClone(stored);
  }

  /** Replaces an object; a stale resourceVersion is a 409 Conflict (optimistic concurrency). */
  update(t: ResourceType, object: Obj, options: { statusOnly?: boolean } = {}): Obj {
    const b = this.bucket(t);
    const k = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const current = b.get(k);
    if (!current) throw notFound(t, object.metadata.name);
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.resource}${t.group ? `.${t.group}` : ''} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: object.metadata.name, group: t.group, kind: t.resource });
    }
    let next: Obj = structuredClone(object);
    if (options.statusOnly) next = { ...structuredClone(current), status: structuredClone(object.status ?? null) } as Obj;
    else if (t.statusSubresource && current.status !== undefined) next.status = structuredClone(current.status);
    else if (t.statusSubresource) delete next.status;
    next.metadata = {
      ...next.metadata,
      uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp,
      generation: (current.metadata.generation ?? 1) + (specOf(next) !== specOf(current) ? 1 : 0),
      ...(current.metadata.deletionTimestamp ? { deletionTimestamp: current.metadata.deletionTimestamp } : {}),
    };
    if (options.statusOnly) next.metadata = { ...current.metadata, ...(object.metadata.managedFields ? { managedFields: object.metadata.managedFields } : {}) };
    if (JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: undefined } }) === JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: undefined } })) {
      return structuredClone(current); // a no-op write changes nothing, not even the resourceVersion
    }
    this.rv++;
    next.metadata.resourceVersion = String(this.rv);
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      b.delete(k);
      this.emit('DELETED', t, next);
      return structuredClone(next);
    }
    b.set(k, next);
    this.emit('MODIFIED', t, next);
    return structuredClone(next);
  }

  /** Deletes an object; with finalizers it is only marked. Returns the deleted (or marked) object. */
  delete(t: ResourceType, namespace: string | undefined, name: string, preconditionUid?: string): Obj {
    const b = this.bucket(t);
    const k = `${namespace ?? ''}/${name}`;
    const current = b.get(k);
    if (!current) throw notFound(t, name);
    if (preconditionUid && preconditionUid !== current.metadata.uid) throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${preconditionUid}, UID in object meta: ${current.metadata.uid}`);
    this.rv++;
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (!current.metadata.deletionTimestamp) current.metadata.deletionTimestamp = this.now();
      current.metadata.resourceVersion = String(this.rv);
      this.emit('MODIFIED', t, current);
      return structuredClone(current);
    }
    b.delete(k);
    const gone = { ...current, metadata: { ...current.metadata, resourceVersion: String(this.rv) } };
    this.emit('DELETED', t, gone);
    return structuredClone(gone);
  }

  /** Removes every object of a type (a CRD was deleted). */
  dropType(t: ResourceType): void {
    const b = this.bucket(t);
    for (const o of [...b.values()]) this.delete(t, o.metadata.namespace, o.metadata.name);
    this.objects.delete(storageKey(t));
  }

  /** Objects whose ownerReferences name this uid (for garbage collection). */
  dependents(uid: string): { type: string; object: Obj }[] {
    return this.all().filter(({ object }) => (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  }
}

export function notFound(t: Pick<ResourceType, 'resource' | 'group'>, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${t.resource}${t.group ? `.${t.group}` : ''} "${name}" not found`, { name, group: t.group, kind: t.resource });
}
