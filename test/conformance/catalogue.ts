/**
 * The conformance catalogue: named cases, each saying which SMI features it exercises (features.ts),
 * the world it runs in, and SMI's answers to its requests. Cases register themselves (cases.ts);
 * catalogue.test.ts runs every case on every registered target, so a new mesh is tested by being
 * registered — the shape of Gateway API's conformance suite.
 */
import type { Feature } from '../../src/targets/features.js';
import type { AccessRequest, RouteRequest } from '../../src/policy/request.js';

export interface ConformanceCase {
  readonly name: string;
  /** The features it needs: a target declaring all of them `full` must give SMI's answer on every request. */
  readonly needs: readonly Feature[];
  /** SMI objects and inventory, as YAML. */
  readonly yaml: string;
  /** Requests and SMI's answer to each (the reference semantics are held to it too). */
  readonly access: readonly (readonly [AccessRequest, boolean])[];
  /** Requests to a root Service and SMI's shares of them by backend (namespace/name). */
  readonly routes?: readonly (readonly [RouteRequest, Readonly<Record<string, number>>])[];
}

const CASES: ConformanceCase[] = [];

export function registerCase(c: ConformanceCase): void {
  if (CASES.some((x) => x.name === c.name)) throw new Error(`conformance case ${c.name} registered twice`);
  CASES.push(c);
}

export const registeredCases = (): readonly ConformanceCase[] => CASES;
