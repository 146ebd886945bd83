/**
 * A translation split by namespace, for meshes whose resources in one namespace depend on others
 * (App Mesh backends, Consul names). Each namespace *exports* small facts under topics — computed
 * from its own slice of the model alone — and translates its own slice reading the others' facts
 * through *imports*. The controller keeps every namespace's exports and, on a change, re-translates
 * the changed namespace and only those whose translation read a topic whose facts changed.
 * The whole-cluster translation is the same code run for every namespace, so the two cannot drift.
 */
import { identityKey, type Identity, type PolicyModel } from '../policy/model.js';
import { sortResources } from './naming.js';
import type { Exports, Imports, Partition, Translation, TranslateOptions } from './target.js';

/** Every namespace the model mentions: where a slice may hold something. */
export function modelNamespaces(model: PolicyModel): string[] {
  const out = new Set<string>([...model.scope.why.keys(), ...model.scope.namespaces]);
  for (const d of model.destinations.values()) out.add(d.identity.namespace);
  for (const k of model.lockedDown) out.add(k.split('/')[0] ?? '');
  for (const s of model.splits.values()) out.add(s.namespace);
  for (const s of model.inventory.services.values()) out.add(s.namespace);
  for (const w of model.inventory.workloads) out.add(w.namespace);
  for (const sa of model.inventory.serviceAccounts) out.add(sa.split('/')[0] ?? '');
  for (const ns of model.inventory.namespaces.keys()) out.add(ns);
  return [...out].sort();
}

const namespaceOfKey = (key: string): string => key.slice(0, key.indexOf('/'));

/**
 * The part of a model each namespace holds: its destinations, splits, inventory and scope, and the
 * identities it mentions (its own, and the sources its TrafficTargets name). Equal to resolving that
 * namespace's objects alone. One pass over the model, however many namespaces.
 */
export function sliceModel(model: PolicyModel, namespaces: readonly string[]): Map<string, PolicyModel> {
  const wanted = new Set(namespaces);
  const bucket = <V>(entries: Iterable<[string, V]>): Map<string, V[]> => {
    const out = new Map<string, V[]>();
    for (const [ns, v] of entries) {
      if (!wanted.has(ns)) continue;
      const list = out.get(ns);
      if (list) list.push(v);
      else out.set(ns, [v]);
    }
    return out;
  };
  const destinations = bucket([...model.destinations].map((e) => [namespaceOfKey(e[0]), e]));
  const locked = bucket([...model.lockedDown].map((k) => [namespaceOfKey(k), k]));
  const splits = bucket([...model.splits].map((e) => [namespaceOfKey(e[0]), e]));
  const services = bucket([...model.inventory.services].map((e) => [namespaceOfKey(e[0]), e]));
  const accounts = bucket([...model.inventory.serviceAccounts].map((k) => [namespaceOfKey(k), k]));
  const workloads = bucket(model.inventory.workloads.map((w) => [w.namespace, w]));
  const values = <V>(m: Map<string, V[]>, ns: string): V[] => m.get(ns) ?? [];
  const out = new Map<string, PolicyModel>();
  for (const namespace of wanted) {
    const own = new Map(values(destinations, namespace));
    const mine = values(workloads, namespace);
    const serviceAccounts = new Set(values(accounts, namespace));
    const identities = new Map<string, Identity>();
    const add = (i: Identity) => identities.set(identityKey(i), i);
    for (const sa of serviceAccounts) add({ namespace, name: sa.slice(namespace.length + 1) });
    for (const w of mine) add({ namespace, name: w.serviceAccount });
    for (const d of own.values()) {
      add(d.identity);
      for (const t of d.targets) t.sources.forEach(add);
    }
    const labels = model.inventory.namespaces.get(namespace);
    const why = model.scope.why.get(namespace);
    out.set(namespace, {
      mode: model.mode,
      destinations: own,
      lockedDown: new Set(values(locked, namespace)),
      splits: new Map(values(splits, namespace)),
      inventory: { services: new Map(values(services, namespace)), serviceAccounts, workloads: mine, namespaces: labels ? new Map([[namespace, labels]]) : new Map() },
      scope: {
        namespaces: new Set(model.scope.namespaces.has(namespace) ? [namespace] : []),
        why: new Map(why !== undefined ? [[namespace, why]] : []),
        explicit: model.scope.explicit,
      },
      identities: [...identities.values()].sort((a, b) => identityKey(a).localeCompare(identityKey(b))),
      diagnostics: [],
    });
  }
  return out;
}

/** Imports over the exports of every namespace, kept up to date one namespace at a time. */
export class TopicIndex implements Imports {
  /** topic → fact → how many namespaces state it. */
  private readonly topics = new Map<string, Map<string, number>>();
  private readonly views = new Map<string, Set<string>>();

  /** Replaces a namespace's exports (`before`: what it exported until now); returns the topics whose union changed. */
  set(exports: Exports | undefined, before: Exports | undefined): Set<string> {
    const changed = new Set<string>();
    const topics = new Set([...(before?.keys() ?? []), ...(exports?.keys() ?? [])]);
    for (const topic of topics) {
      const was = new Set(before?.get(topic) ?? []);
      const now = new Set(exports?.get(topic) ?? []);
      let counts = this.topics.get(topic);
      if (!counts) this.topics.set(topic, (counts = new Map()));
      let view = this.views.get(topic);
      if (!view) this.views.set(topic, (view = new Set()));
      for (const fact of was) {
        if (now.has(fact)) continue;
        const n = (counts.get(fact) ?? 0) - 1;
        if (n > 0) counts.set(fact, n);
        else {
          counts.delete(fact);
          view.delete(fact);
          changed.add(topic);
        }
      }
      for (const fact of now) {
        if (was.has(fact)) continue;
        const n = (counts.get(fact) ?? 0) + 1;
        counts.set(fact, n);
        if (n === 1) {
          view.add(fact);
          changed.add(topic);
        }
      }
      if (counts.size === 0) {
        this.topics.delete(topic);
        this.views.delete(topic);
      }
    }
    return changed;
  }

  read(topic: string): ReadonlySet<string> {
    return this.views.get(topic) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Imports that remember which topics were read: the namespaces to re-translate when those change. */
export function tracking(imports: Imports): { imports: Imports; read: Set<string> } {
  const read = new Set<string>();
  return { imports: { read: (topic) => { read.add(topic); return imports.read(topic); } }, read };
}

/** The whole cluster's translation: every namespace's exports first, then every namespace's translation. */
export function translateByNamespace(partition: Partition, model: PolicyModel, options: TranslateOptions): Translation {
  const namespaces = modelNamespaces(model);
  const slices = sliceModel(model, namespaces);
  const index = new TopicIndex();
  for (const ns of namespaces) index.set(partition.exports(slices.get(ns)!, ns, options), undefined);
  const parts = namespaces.map((ns) => partition.translate(slices.get(ns)!, ns, index, options));
  return {
    resources: sortResources(parts.flatMap((p) => p.resources)),
    diagnostics: [...parts.flatMap((p) => p.diagnostics), ...partition.notes(model, options)],
  };
}
