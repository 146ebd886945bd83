/**
 * Ports where Linkerd may carry traffic as opaque TCP (no protocol detection), so HTTP requests meet
 * only Server-level authorization and route-level grants never match:
 * - the cluster's opaque ports (`proxy.opaquePorts`, applied by the proxy injector to every injected
 *   pod): Linkerd's default list (SMTP, MySQL, Galera, PostgreSQL, Redis, Elasticsearch, Memcached),
 *   or what --linkerd-opaque-ports says the cluster set;
 * - Service ports marked `appProtocol: linkerd.io/opaque`.
 * smi's Servers say `proxyProtocol: unknown` (detect), but whether that overrides the client side's
 * opaque marking depends on event order in Linkerd's destination controller (SetToServerProtocol only
 * ever sets opaque; updateServer clears it), so smi assumes opaque: the narrower reading.
 */
import { servicesSelecting, type Inventory, type Workload } from '../../policy/inventory.js';
import type { TranslateOptions } from '../target.js';
import { parsePortRanges } from './options.js';

export const DEFAULT_OPAQUE_PORTS: ReadonlySet<number> = new Set([25, 587, 3306, 4444, 5432, 6379, 9300, 11211]);
export const OPAQUE_APP_PROTOCOL = 'linkerd.io/opaque';

/** Whether the cluster's opaque-ports setting covers the port (Linkerd's default list unless the options say otherwise). */
export function clusterOpaque(port: number, options: TranslateOptions): boolean {
  if (options.linkerdOpaquePorts === undefined) return DEFAULT_OPAQUE_PORTS.has(port);
  let ranges = parsed.get(options.linkerdOpaquePorts);
  if (!ranges) parsed.set(options.linkerdOpaquePorts, (ranges = parsePortRanges(options.linkerdOpaquePorts) ?? []));
  return ranges.some((r) => port >= r.from && port <= r.to);
}

/** The opaque-ports settings seen, parsed once (the evaluator asks per request). */
const parsed = new Map<string, { from: number; to: number }[]>();

/** One workload's opaque ports, worked out once per inventory, workload and setting: the evaluator asks per request. */
const cached = new WeakMap<Inventory, WeakMap<Workload, Map<string, Set<number>>>>();

export function workloadOpaquePorts(workload: Workload, inventory: Inventory | undefined, options: TranslateOptions): ReadonlySet<number> {
  if (!inventory) return opaquePorts([workload], undefined, options);
  let byWorkload = cached.get(inventory);
  if (!byWorkload) cached.set(inventory, (byWorkload = new WeakMap()));
  let bySetting = byWorkload.get(workload);
  if (!bySetting) byWorkload.set(workload, (bySetting = new Map()));
  const key = options.linkerdOpaquePorts ?? '';
  let ports = bySetting.get(key);
  if (!ports) bySetting.set(key, (ports = opaquePorts([workload], inventory, options)));
  return ports;
}

/** The opaque ports among these workloads' ports (target ports of their opaque Service ports included). */
export function opaquePorts(workloads: readonly Workload[], inventory: Inventory | undefined, options: TranslateOptions): Set<number> {
  const out = new Set(workloads.flatMap((w) => w.ports.map((p) => p.port)).filter((p) => clusterOpaque(p, options)));
  if (!inventory) return out;
  for (const s of servicesSelecting(inventory, workloads)) {
    for (const p of s.ports) {
      if (p.appProtocol !== OPAQUE_APP_PROTOCOL) continue;
      if (p.targetPort === undefined) out.add(p.port);
      else if (typeof p.targetPort === 'number') out.add(p.targetPort);
      else for (const w of workloads) for (const c of w.ports) if (c.name === p.targetPort) out.add(c.port);
    }
  }
  return out;
}
