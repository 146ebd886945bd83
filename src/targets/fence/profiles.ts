/**
 * Per mesh, what its proxies need reachable on the pods of the mesh (from each mesh's documented port
 * list). Traffic to these ports ends at the proxy itself, or is judged by it on mesh identity, so
 * opening them does not widen what SMI grants to the application.
 */
import type { MeshName, TranslateOptions } from '../target.js';
import type { FenceProfile } from './types.js';

const NODE_PROBES = 'kubelet probes come from the node, which most NetworkPolicy implementations exempt; where yours does not, add a NetworkPolicy with an ipBlock for the node addresses';

const ISTIO: FenceProfile = {
  open: [
    { port: 15020, why: "istio-agent's merged Prometheus metrics and the rewritten application health probes" },
    { port: 15021, why: "the sidecar's health check (kubelet readiness)" },
    { port: 15090, why: "Envoy's Prometheus metrics" },
  ],
  tunnel: [],
  notes: [
    'sidecar mode: meshed traffic arrives at the application port (redirected to the sidecar inside the pod), so the fence applies to the ports SMI names',
    'ambient mode (HBONE on 15008) is not fenced: smi writes sidecar-mode AuthorizationPolicies',
    NODE_PROBES,
  ],
};

const LINKERD: FenceProfile = {
  open: [{ port: 4191, why: "the proxy's admin port: Prometheus metrics (linkerd-viz) and its readiness probe" }],
  tunnel: [{ port: 4143, why: "the proxy's inbound port: meshed callers reach opaque ports through it, and the proxy applies the Server's policy there" }],
  notes: ['HTTP and detected TCP arrive at the application port; opaque ports arrive at 4143 from the granted callers', NODE_PROBES],
};

const CONSUL: FenceProfile = {
  open: [
    { port: 20200, why: 'merged Prometheus metrics of Envoy and the application (consul-dataplane)' },
    { port: 21000, why: "Envoy's readiness probe" },
  ],
  tcpWirePort: { port: 20000, why: "with transparent proxy, a caller's sidecar connects to the destination sidecar's public listener (20000), not to the application port" },
  tunnel: [],
  notes: ['granted TCP and HTTP are let in on the sidecar port 20000 from the granted callers; application ports see only traffic from outside the mesh, which the fence closes', NODE_PROBES],
};

const APPMESH: FenceProfile = {
  open: [{ port: 9901, why: "Envoy's admin port: Prometheus statistics" }],
  tunnel: [],
  notes: ["traffic arrives at the application port and is redirected to Envoy inside the pod only where the VirtualNode has a listener: the fence closes what no listener sees and SMI does not grant", NODE_PROBES],
};

const GATEWAY_API: FenceProfile = {
  open: [],
  tunnel: [],
  notes: ["the GAMMA implementation's own proxy ports are not known to smi and stay closed: add a NetworkPolicy for them, or pass --authz istio|linkerd", NODE_PROBES],
};

/** The profile for a mesh as translated with these options; undefined where the fence does not apply (Cilium enforces in the datapath itself). */
export function fenceProfile(mesh: MeshName, options: TranslateOptions): FenceProfile | undefined {
  switch (mesh) {
    case 'istio': return ISTIO;
    case 'linkerd': return LINKERD;
    case 'consul': return CONSUL;
    case 'appmesh': return APPMESH;
    case 'gateway-api': return options.authz === 'istio' ? ISTIO : options.authz === 'linkerd' ? LINKERD : GATEWAY_API;
    case 'cilium': return undefined;
  }
}
