/**
 * The conformance catalogue: named cases, each saying which SMI features it exercises (features.ts),
 * the world it runs in, and SMI's answers to its requests. Cases register themselves (cases.ts);
 * catalogue.test.ts runs every case on every registered target, so a new mesh is tested by being
 * registered — the shape of Gateway API's conformance suite.
 */
import type { Feature } from '../../src/targets/features.js';
import { DEFAULT_OPTIONS, type Target, type TranslateOptions } from '../../src/targets/target.js';
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

export interface Variant { readonly label: string; readonly options: TranslateOptions }

/**
 * The translations of a target worth proving on their own: its defaults, and each choice of the
 * options it marks as variants (gateway-api --authz, Istio's data plane). With `everyOutput`, also
 * every switch it offers (each writes something else: Linkerd's namespace annotations, Cilium's
 * mutual authentication), its audit rollout and its NetworkPolicy fence, where it has them: what the
 * API server must accept is every shape smi can write.
 */
export function targetVariants(target: Target, { everyOutput = false } = {}): Variant[] {
  const out: Variant[] = [{ label: target.name, options: DEFAULT_OPTIONS }];
  const add = (label: string, set: Partial<TranslateOptions>) => {
    const options = { ...DEFAULT_OPTIONS, ...set };
    if ((target.options ?? []).some((o) => o.get(options) !== undefined && o.refuse?.(options) !== undefined)) return;
    out.push({ label: `${target.name} ${label}`, options });
  };
  for (const o of target.options ?? []) {
    if (o.variant) {
      for (const choice of o.choices ?? []) {
        const set = o.set(choice);
        if (o.get({ ...DEFAULT_OPTIONS, ...set }) === undefined) continue; // the default is the first variant already
        add(`--${o.flag} ${choice}`, set);
        // Each variant with the fence too: what the fence writes depends on it (Istio ambient's waypoints, --authz).
        if (everyOutput && target.fence) add(`--${o.flag} ${choice} --fence networkpolicy`, { ...set, fence: 'networkpolicy' });
      }
    } else if (everyOutput && o.value === undefined) add(`--${o.flag}`, o.set(true));
  }
  if (everyOutput && target.audit) add('--enforcement audit', { enforcement: 'audit' });
  if (everyOutput && target.fence) add('--fence networkpolicy', { fence: 'networkpolicy' });
  return out;
}
