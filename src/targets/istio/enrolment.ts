/**
 * Which workloads ambient's ztunnel captures (Istio docs, "Add workloads to the mesh" under Ambient):
 * a namespace labelled istio.io/dataplane-mode=ambient enrols its pods, a pod labelled so enrols
 * itself, and a pod labelled istio.io/dataplane-mode=none opts out. Nothing of smi's applies to a pod
 * ztunnel does not capture. Only what the input shows is judged: a namespace whose Namespace object is
 * not in the input is taken to be enrolled (and said so by the docs, not per request).
 */
import type { Inventory, Workload } from '../../policy/inventory.js';

export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

export function enrolledInAmbient(inventory: Inventory, workload: Workload): boolean {
  const pod = workload.labels[DATAPLANE_MODE_LABEL];
  if (pod === 'none') return false;
  if (pod === 'ambient') return true;
  const namespace = inventory.namespaces.get(workload.namespace);
  return namespace === undefined || namespace[DATAPLANE_MODE_LABEL] === 'ambient';
}
