/**
 * How Istio's sidecar treats a port of a pod (Istio's "Protocol Selection"): the protocol the Services
 * targeting that port declare — `appProtocol`, else the port name's `<protocol>[-<suffix>]` — and,
 * when none is declared, HTTP and HTTP/2 detected by sniffing (plain TCP otherwise). On a port
 * declared TCP, TLS, HTTPS, Mongo, MySQL or Redis the inbound listener is a TCP one, where an ALLOW
 * rule with HTTP fields (methods, paths, header conditions) never matches. Istio also names some
 * well-known ports; smi does not model those (declare the protocol on the Service to be sure).
 */
import { servicesSelecting, type Inventory } from '../../policy/inventory.js';
import type { Workload } from '../../policy/model.js';

export interface PortProtocol {
  /** http: declared HTTP; opaque: declared a protocol whose listener is TCP; detected: nothing declared (HTTP is sniffed). */
  readonly kind: 'http' | 'opaque' | 'detected';
  /** Where it is declared, for messages: `Service ns/name port name (appProtocol x)`. */
  readonly declaredBy?: string;
}

const HTTP = new Set(['http', 'http2', 'grpc', 'grpc-web']);
const OPAQUE = new Set(['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis']);

/** Answers per inventory: the evaluator asks once per request, and the answer depends on the inventory alone. */
const answers = new WeakMap<Inventory, WeakMap<Workload, Map<number, PortProtocol>>>();

/** The protocol Istio gives port `port` of a workload's pods. A port two Services declare differently counts as opaque (narrower). */
export function istioPortProtocol(inventory: Inventory, workload: Workload, port: number): PortProtocol {
  let byWorkload = answers.get(inventory);
  if (!byWorkload) answers.set(inventory, (byWorkload = new WeakMap()));
  let byPort = byWorkload.get(workload);
  if (!byPort) byWorkload.set(workload, (byPort = new Map()));
  let answer = byPort.get(port);
  if (!answer) byPort.set(port, (answer = selectProtocol(inventory, workload, port)));
  return answer;
}

function selectProtocol(inventory: Inventory, workload: Workload, port: number): PortProtocol {
  let found: PortProtocol = { kind: 'detected' };
  for (const s of servicesSelecting(inventory, [workload])) {
    for (const p of s.ports) {
      if (p.protocol !== 'TCP') continue;
      const targets = typeof p.targetPort === 'number' ? p.targetPort === port
        : typeof p.targetPort === 'string' ? workload.ports.some((c) => c.name === p.targetPort && c.port === port)
        : p.port === port;
      if (!targets) continue;
      const declared = (p.appProtocol ?? p.name?.split('-')[0] ?? '').toLowerCase();
      const kind = HTTP.has(declared) ? 'http' : OPAQUE.has(declared) ? 'opaque' : 'detected';
      if (kind === 'detected') continue;
      const declaredBy = `Service ${s.namespace}/${s.name} port ${p.name ?? p.port}${p.appProtocol ? ` (appProtocol ${p.appProtocol})` : ''}`;
      if (kind === 'opaque' || found.kind === 'detected') found = { kind, declaredBy };
    }
  }
  return found;
}
