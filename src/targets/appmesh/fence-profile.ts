/** What App Mesh's Envoys need reachable on the pods of the mesh, for the NetworkPolicy fence (from App Mesh's documented port list). */
import { NODE_PROBES, type FenceProfile } from '../fence/types.js';

export const APPMESH_FENCE: FenceProfile = {
  open: [{ port: 9901, why: "Envoy's admin port: Prometheus statistics" }],
  tunnel: [],
  notes: ["traffic arrives at the application port and is redirected to Envoy inside the pod only where the VirtualNode has a listener: the fence closes what no listener sees and SMI does not grant", NODE_PROBES],
};
