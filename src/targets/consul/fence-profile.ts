/** What Consul's sidecars need reachable on the pods of the mesh, for the NetworkPolicy fence (from Consul's documented port list). */
import { NODE_PROBES, type FenceProfile } from '../fence/types.js';

export const CONSUL_FENCE: FenceProfile = {
  open: [
    { port: 20200, why: 'merged Prometheus metrics of Envoy and the application (consul-dataplane)' },
    { port: 21000, why: "Envoy's readiness probe" },
  ],
  tcpWirePort: { port: 20000, why: "with transparent proxy, a caller's sidecar connects to the destination sidecar's public listener (20000), not to the application port" },
  tunnel: [],
  notes: ['granted TCP and HTTP are let in on the sidecar port 20000 from the granted callers; application ports see only traffic from outside the mesh, which the fence closes', NODE_PROBES],
};
