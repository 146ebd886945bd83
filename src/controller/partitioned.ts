/**
 * Desired state namespace by namespace for targets translated by namespace (targets/partition.ts):
 * every namespace's exports are kept, and a change re-translates its namespace and those whose last
 * translation read a topic whose facts changed — never the cluster. Pure over the objects given.
 */
import type { ValidatedSet } from '../api/validate.js';
import type { AccessMode, PolicyModel } from '../policy/model.js';
import { sliceModel, TopicIndex, tracking } from '../targets/partition.js';
import type { Exports, Partition, Target, TranslateOptions } from '../targets/target.js';
import { desiredFrom, resolveObjects, type ClusterObject, type DesiredState } from './desired.js';

/** One namespace's SMI objects and inventory (its Namespace object included). */
export interface NamespaceObjects {
  readonly smi: readonly ClusterObject[];
  readonly inventory: readonly ClusterObject[];
}

interface Resolved {
  readonly validated: ValidatedSet;
  readonly model: PolicyModel;
}

export class NamespacedDesired {
  private readonly index = new TopicIndex();
  private readonly exported = new Map<string, Exports>();
  /** Namespace → topics its last translation read, and the reverse. */
  private readonly reads = new Map<string, Set<string>>();
  private readonly readers = new Map<string, Set<string>>();
  /** Resolved by refresh() and not yet translated: resolving costs more than translating. */
  private readonly resolved = new Map<string, Resolved>();

  constructor(
    private readonly partition: Partition,
    private readonly target: Target,
    private readonly options: TranslateOptions,
    private readonly mode: AccessMode,
    private readonly namespaces?: readonly string[],
  ) {}

  private resolve(objects: NamespaceObjects): Resolved {
    return resolveObjects(objects.smi, objects.inventory, this.mode, this.namespaces);
  }

  /** The namespaces whose exports are held: a namespace gone from the cluster must still be refreshed once. */
  known(): string[] {
    return [...this.exported.keys()];
  }

  /**
   * A namespace's objects changed (or are seen for the first time): its exports are recomputed.
   * Returns the namespaces whose desired state may have changed: this one and the readers of what
   * changed. `keep` holds the resolved model for the desired() that follows (not on a cold start,
   * where every namespace is refreshed before any is translated).
   */
  refresh(namespace: string, objects: NamespaceObjects, keep = true): Set<string> {
    const resolved = this.resolve(objects);
    if (keep) this.resolved.set(namespace, resolved);
    else this.resolved.delete(namespace);
    const exports = this.partition.exports(sliceModel(resolved.model, [namespace]).get(namespace)!, namespace, this.options);
    const before = this.exported.get(namespace);
    if (exports.size > 0) this.exported.set(namespace, exports);
    else this.exported.delete(namespace);
    const out = new Set([namespace]);
    for (const topic of this.index.set(exports, before)) for (const ns of this.readers.get(topic) ?? []) out.add(ns);
    return out;
  }

  /** The desired state of one namespace with every namespace's exports as they are now. */
  desired(namespace: string, objects: NamespaceObjects): DesiredState {
    const resolved = this.resolved.get(namespace) ?? this.resolve(objects);
    this.resolved.delete(namespace);
    const { imports, read } = tracking(this.index);
    const translation = this.partition.translate(sliceModel(resolved.model, [namespace]).get(namespace)!, namespace, imports, this.options);
    for (const topic of this.reads.get(namespace) ?? []) if (!read.has(topic)) this.readers.get(topic)?.delete(namespace);
    for (const topic of read) {
      let set = this.readers.get(topic);
      if (!set) this.readers.set(topic, (set = new Set()));
      set.add(namespace);
    }
    if (read.size > 0) this.reads.set(namespace, read);
    else this.reads.delete(namespace);
    return desiredFrom(objects.smi, resolved.validated, resolved.model, translation, this.target.name);
  }
}
