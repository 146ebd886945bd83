/** The ports a TrafficTarget's rules may use on the destination, as translators need them. */
import type { TargetPolicy } from '../policy/model.js';

/**
 * The TCPRoute ports narrowed by a v1alpha1/v1alpha2 destination port: undefined = every port,
 * an empty set = none (the legacy port is outside the TCPRoute ports).
 */
export function grantedPorts(target: Pick<TargetPolicy, 'tcpPorts' | 'legacyPort'>): ReadonlySet<number> | undefined {
  const set = target.tcpPorts === undefined || target.tcpPorts === 'all' ? undefined : target.tcpPorts;
  if (target.legacyPort === undefined) return set;
  return new Set(set === undefined || set.has(target.legacyPort) ? [target.legacyPort] : []);
}

export const portGranted = (ports: ReadonlySet<number> | undefined, port: number): boolean => ports === undefined || ports.has(port);
