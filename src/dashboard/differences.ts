/**
 * Where each mesh answers differently from SMI (pure): telling requests of the policy put to SMI and
 * to each mesh — per destination in scope, the callers SMI grants, one it does not grant from each
 * namespace in play, one from elsewhere and an unauthenticated one (probes.ts, 'telling'), on the
 * ports, paths, methods and headers its rules name and just outside them. Per mesh, the destinations
 * where some answer differs or is not enforced, with a count and one example. One destination per
 * step, so a server can pace the work and report progress.
 */
import { probeDestinationCount, probesByDestination, type ProbeOptions } from '../policy/probes.js';
import { workloadsOf } from '../policy/inventory.js';
import type { PolicyModel } from '../policy/model.js';
import type { AccessRequest } from '../policy/request.js';
import { whatIf, type MeshSide } from './what-if.js';
import type { ShownMesh } from './view.js';
import type { DestinationDifference, DifferencesProgress, MeshDifferences } from './contract.js';

export type { DestinationDifference, DifferencesProgress, MeshDifferences };

const describe = (r: AccessRequest, smi: boolean, mesh: string): string => {
  const from = r.source === 'unauthenticated' ? 'unauthenticated' : `${r.source.namespace}/${r.source.name}`;
  const what = r.http ? `${r.http.method} ${r.http.path}` : r.protocol;
  return `${from} → ${r.destination.namespace}/${r.destination.name}:${r.port ?? '*'} ${what}: SMI ${smi ? 'ALLOW' : 'DENY'}, mesh ${mesh}`;
};

/** A mesh as the dashboard names it: the target, the choices of its variant options that are set (they make another translation), and the fence. */
export const sideLabel = (s: MeshSide): string => {
  const variants = (s.target.options ?? []).flatMap((o) => {
    const v = o.variant ? o.get(s.options) : undefined;
    return v === undefined ? [] : [`--${o.flag}${v === true ? '' : ` ${v}`}`];
  });
  return `${s.target.name}${s.options.fence ? '+fence' : ''}${variants.length > 0 ? ` (${variants.join(' ')})` : ''}`;
};

/** The meshes shown, by label: each translation, and the target's feature table with the options it runs with. */
export const shownMeshes = (sides: readonly MeshSide[]): Map<string, ShownMesh> =>
  new Map(sides.map((s) => [sideLabel(s), { translation: s.translation, ...(s.target.features ? { features: s.target.features(s.options) } : {}) }]));

/** Yields the progress after each destination (and a way to read the differences so far); returns them all. */
export function* differenceSteps(model: PolicyModel, sides: readonly MeshSide[]): Generator<{ progress: DifferencesProgress; snapshot: () => MeshDifferences[] }, MeshDifferences[]> {
  const options: ProbeOptions = {
    callers: 'telling',
    destinations: (d) => model.scope.namespaces.has(d.namespace) && workloadsOf(model.inventory, d.namespace, d.name).length > 0,
  };
  const total = probeDestinationCount(model, options);
  const found = sides.map(() => new Map<string, { requests: number; example: string }>());
  const collect = () => sides.map((s, i) => ({
    mesh: sideLabel(s),
    destinations: [...found[i]!].sort(([a], [b]) => a.localeCompare(b)).map(([node, d]) => ({ node, ...d })),
  }));
  let done = 0;
  let requests = 0;
  for (const [, probes] of probesByDestination(model, options)) {
    for (const r of probes) {
      const answer = whatIf(model, r, sides);
      answer.meshes.forEach((m, i) => {
        if (!m.differs) return;
        const node = `sa:${r.destination.namespace}/${r.destination.name}`;
        const seen = found[i]!.get(node);
        if (seen) seen.requests++;
        else found[i]!.set(node, { requests: 1, example: describe(r, answer.smi.allowed, m.answer) });
      });
    }
    done++;
    requests += probes.length;
    yield { progress: { done, total, requests }, snapshot: collect };
  }
  return collect();
}

export function meshDifferences(model: PolicyModel, sides: readonly MeshSide[]): MeshDifferences[] {
  const steps = differenceSteps(model, sides);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
