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
    'ambient mode (HBONE on 15008) is not fenced: smi writes sidecar-mode AuthorizationPolicies',
    NODE_PROBES,
  ],
};
