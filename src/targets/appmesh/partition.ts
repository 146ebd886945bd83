/**
 * App Mesh by namespace. A VirtualNode lists as backends the VirtualServices its identity may call,
 * and those are made from grants and splits of other namespaces; each namespace exports, per source
 * identity its TrafficTargets name, the VirtualServices it grants that identity ("backends/<ns/sa>"),
 * its split roots when every caller may use them ("roots", outside strict mode), and the identities
 * running in it while it is outside smi's scope ("outside/<ns/sa>"): no others are read.
 */
import type { Diagnostic } from '../../api/diagnostic.js';
import { identityKey, inScope, type Identity, type PolicyModel } from '../../policy/model.js';
import { collectTranslation, diagnosticReporter } from '../diagnostics.js';
import type { Imports, Partition, TranslateOptions } from '../target.js';
import { nodeNotes, servicesFronting, translateNodes, type Reach } from './nodes.js';
import { translateRouting, type Routing } from './routing.js';

const backendsTopic = (identity: Identity): string => `backends/${identityKey(identity)}`;
const outsideTopic = (identity: Identity): string => `outside/${identityKey(identity)}`;
const ROOTS = 'roots';

/** Services → the VirtualServices standing for them, with the split roots routing to them (same namespace). */
function virtualServicesOf(services: Iterable<string>, routing: Routing): string[] {
  const rootsOf = new Map<string, string[]>();
  for (const [root, targets] of routing.routedRoots) for (const t of new Set([root, ...targets])) rootsOf.set(t, [...(rootsOf.get(t) ?? []), root]);
  const all = new Set(services);
  for (const s of [...all]) for (const root of rootsOf.get(s) ?? []) all.add(root);
  return [...all].flatMap((s) => { const vs = routing.virtualServices.get(s); return vs ? [`${vs.namespace}/${vs.name}`] : []; }).sort();
}

function exports(slice: PolicyModel, namespace: string, options: TranslateOptions): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const routing = translateRouting(slice, options, () => {});
  const fronting = servicesFronting(slice);
  const granted = new Map<string, Set<string>>();
  for (const d of slice.destinations.values()) {
    for (const source of d.bySource.keys()) {
      const set = granted.get(source) ?? new Set<string>();
      for (const s of fronting.get(identityKey(d.identity)) ?? []) set.add(s);
      granted.set(source, set);
    }
  }
  for (const [source, services] of granted) {
    const refs = virtualServicesOf(services, routing);
    if (refs.length > 0) out.set(`backends/${source}`, refs);
  }
  if (slice.mode !== 'strict' && routing.routedRoots.size > 0) out.set(ROOTS, virtualServicesOf(routing.routedRoots.keys(), routing));
  if (!inScope(slice, namespace)) {
    for (const w of slice.inventory.workloads) out.set(outsideTopic({ namespace: w.namespace, name: w.serviceAccount }), [namespace]);
  }
  return out;
}

function reachThrough(imports: Imports, mode: PolicyModel['mode']): Reach {
  const union = (topic: string, into: Set<string>) => { for (const r of imports.read(topic)) into.add(r); };
  return {
    backends: (identity) => {
      const refs = new Set<string>();
      union(backendsTopic(identity), refs);
      // Outside strict mode the caller may reach destinations that are not locked down; split roots
      // must be backends for their routes to apply, the rest passes through.
      if (mode !== 'strict') union(ROOTS, refs);
      return [...refs].sort();
    },
    runsOutsideScope: (identity) => imports.read(outsideTopic(identity)).size > 0,
  };
}

export const appMeshPartition: Partition = {
  exports: (slice, namespace, options) => exports(slice, namespace, options),
  translate: (slice, _namespace, imports, options) =>
    collectTranslation((report) => {
      const routing = translateRouting(slice, options, report);
      return [...routing.resources, ...translateNodes(slice, options, reachThrough(imports, slice.mode), report)];
    }),
  notes: (model) => {
    const out: Diagnostic[] = [];
    nodeNotes(model, diagnosticReporter(out));
    return out;
  },
};
