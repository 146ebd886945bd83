/** Every mesh target by name. */
import type { MeshName, Target } from './target.js';
import { istio } from './istio/index.js';

export const TARGETS: Partial<Record<MeshName, Target>> = { istio };

export function targetNames(): MeshName[] {
  return Object.keys(TARGETS) as MeshName[];
}

export function findTarget(name: string): Target | undefined {
  return TARGETS[name as MeshName];
}
