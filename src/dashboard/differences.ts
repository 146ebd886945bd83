/**
 * Where each mesh answers differently from SMI (pure): the telling requests of the policy (probes.ts,
 * the same `smi diff` asks) put to SMI and to each mesh; per mesh, the destinations where some answer
 * differs or is not enforced, with a count and one example.
 */
import { accessProbes } from '../policy/probes.js';
import { workloadsOf } from '../policy/inventory.js';
import type { PolicyModel } from '../policy/model.js';
import type { AccessRequest } from '../policy/request.js';
import { whatIf, type MeshSide } from './what-if.js';

export interface DestinationDifference {
  /** Node id: sa:NS/NAME. */
  readonly node: string;
  readonly requests: number;
  readonly example: string;
}

export interface MeshDifferences {
  readonly mesh: string;
  readonly destinations: readonly DestinationDifference[];
}

const describe = (r: AccessRequest, smi: boolean, mesh: string): string => {
  const from = r.source === 'unauthenticated' ? 'unauthenticated' : `${r.source.namespace}/${r.source.name}`;
  const what = r.http ? `${r.http.method} ${r.http.path}` : r.protocol;
  return `${from} → ${r.destination.namespace}/${r.destination.name}:${r.port ?? '*'} ${what}: SMI ${smi ? 'ALLOW' : 'DENY'}, mesh ${mesh}`;
};

export const sideLabel = (s: MeshSide): string => `${s.target.name}${s.options.fence ? '+fence' : ''}`;

export function meshDifferences(model: PolicyModel, sides: readonly MeshSide[]): MeshDifferences[] {
  const probes = accessProbes(model).filter((r) => model.scope.namespaces.has(r.destination.namespace) && workloadsOf(model.inventory, r.destination.namespace, r.destination.name).length > 0);
  const found = sides.map(() => new Map<string, { requests: number; example: string }>());
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
  return sides.map((s, i) => ({
    mesh: sideLabel(s),
    destinations: [...found[i]!].sort(([a], [b]) => a.localeCompare(b)).map(([node, d]) => ({ node, ...d })),
  }));
}
