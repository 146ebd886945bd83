/**
 * For each root-service port, which backends take a split's traffic and with what weight — the
 * spec's port rule worked out once, for every mesh that has to spell it out per port.
 */
import type { PolicyModel, SplitPolicy } from '../policy/model.js';
import { distribute } from '../policy/route.js';

export interface PortPlan {
  /** undefined: the root Service is not in the input, ports are unknown. */
  readonly port?: number;
  /** namespace/name and weight; empty when no backend can take this port (the root serves it). */
  readonly backends: readonly { service: string; weight: number }[];
}

export function splitPortPlans(model: PolicyModel, split: SplitPolicy): PortPlan[] {
  const root = model.inventory.services.get(`${split.namespace}/${split.service}`);
  const ports = root ? [...new Set(root.ports.map((p) => p.port))].sort((a, b) => a - b) : [undefined];
  return ports.map((port) => ({
    ...(port !== undefined ? { port } : {}),
    backends: distribute(model, split, port).backends.map((b) => ({ service: b.service, weight: b.weight })),
  }));
}

export function splitName(split: SplitPolicy): string {
  return split.ref.name;
}
