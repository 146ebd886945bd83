/** The NetworkPolicy fence for Gateway API routes without paired authorization: the GAMMA implementation's ports are unknown. */
import { NODE_PROBES, type FenceProfile } from '../fence/types.js';

export const GATEWAY_API_FENCE: FenceProfile = {
  open: [],
  tunnel: [],
  notes: ["the GAMMA implementation's own proxy ports are not known to smi and stay closed: add a NetworkPolicy for them, or pass --authz istio|linkerd", NODE_PROBES],
};
