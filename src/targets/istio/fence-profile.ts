/** What Istio's sidecars need reachable on the pods of the mesh, for the NetworkPolicy fence (from Istio's documented port list). */
import { NODE_PROBES, type FenceProfile } from '../fence/types.js';

export const ISTIO_FENCE: FenceProfile = {
  open: [
    { port: 15020, why: "istio-agent's merged Prometheus metrics and the rewritten application health probes" },
    { port: 15021, why: "the sidecar's health check (kubelet readiness)" },
    { port: 15090, why: "Envoy's Prometheus metrics" },
  ],
  tunnel: [],
  notes: [
    'sidecar mode: meshed traffic arrives at the application port (redirected to the sidecar inside the pod), so the fence applies to the ports SMI names',
    'with --istio-data-plane ambient, meshed traffic arrives over HBONE (15008) instead: see the ambient profile',
    NODE_PROBES,
  ],
};

/** A waypoint's own ports (an Envoy deployed by Istio, as a gateway's): reached by Prometheus and the kubelet. */
export const WAYPOINT_OWN_PORTS = [
  { port: 15020, why: "istio-agent's merged Prometheus metrics (the waypoint's reporter=\"waypoint\" series)" },
  { port: 15021, why: "the waypoint's health check (kubelet readiness)" },
  { port: 15090, why: "Envoy's Prometheus metrics" },
];

/** Ambient mode: meshed connections arrive at the pod over HBONE (15008), tunnelled by ztunnel; the application port sees only traffic from outside the mesh. */
export const ISTIO_AMBIENT_FENCE: FenceProfile = {
  open: [],
  tcpWirePort: { port: 15008, why: "ambient's HBONE tunnel: ztunnel carries a granted caller's connection to the destination pod over it, not to the application port" },
  tunnel: [],
  notes: ['ambient mode: granted TCP is let in on HBONE (15008) from the granted callers; application ports see only traffic from outside the mesh, which the fence closes', NODE_PROBES],
};
