/** What Linkerd's proxies need reachable on the pods of the mesh, for the NetworkPolicy fence (from Linkerd's documented port list). */
import { NODE_PROBES, type FenceProfile } from '../fence/types.js';

export const LINKERD_FENCE: FenceProfile = {
  open: [{ port: 4191, why: "the proxy's admin port: Prometheus metrics (linkerd-viz) and its readiness probe" }],
  tunnel: [{ port: 4143, why: "the proxy's inbound port: meshed callers reach opaque ports through it, and the proxy applies the Server's policy there" }],
  notes: ['HTTP and detected TCP arrive at the application port; opaque ports arrive at 4143 from the granted callers', NODE_PROBES],
};
