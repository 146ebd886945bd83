/**
 * What the controller would change on a cluster right now, read once (no informers): the desired
 * resources from the cluster's SMI objects and inventory — or from given objects, to preview a new
 * policy — planned against the mesh resources of smi's that are live. `smi diff --live` prints it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { INVENTORY_KINDS, NAMESPACE_KIND, smiKinds, type WatchedKind } from '../api/watched-kinds.js';
import { listKinds } from '../kube/snapshot.js';
import { MANAGED_BY } from '../targets/naming.js';
import type { AccessMode } from '../policy/model.js';
import type { Target, TranslateOptions } from '../targets/target.js';
import { ownedKinds } from './controller.js';
import { desiredState, type ClusterObject, type DesiredState } from './desired.js';
import { planChanges, type LiveResource, type Plan } from './plan.js';

export interface LivePlanOptions {
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly mode: AccessMode;
  readonly namespaces?: readonly string[];
  /** SMI objects and inventory to use instead of the cluster's (a preview of files). */
  readonly from?: { readonly smi: readonly ClusterObject[]; readonly inventory: readonly ClusterObject[] };
}

export async function livePlan(kc: KubeConfig, options: LivePlanOptions): Promise<{ plan: Plan; desired: DesiredState }> {
  const owned = ownedKinds(options.target, options.translate);
  const selector = `app.kubernetes.io/managed-by=${MANAGED_BY['app.kubernetes.io/managed-by']},smi-spec.io/mesh=${options.target.name}`;
  const namespaced = options.namespaces && options.namespaces.length > 0;
  const smiK = smiKinds();
  const kinds = [...owned, ...(options.from ? [] : [...smiK, ...INVENTORY_KINDS, ...(namespaced ? [] : [NAMESPACE_KIND])])];
  const lists = await listKinds(kc, kinds, { ...(options.namespaces ? { namespaces: options.namespaces } : {}), labelSelector: (k) => (owned.includes(k) ? selector : undefined) });
  const of = (ks: readonly WatchedKind[]) => ks.flatMap((k) => lists.get(k) ?? []) as ClusterObject[];
  const smi = options.from?.smi ?? of(smiK);
  const inventory = options.from?.inventory ?? [...of(INVENTORY_KINDS), ...(namespaced ? [] : of([NAMESPACE_KIND]))];
  const desired = desiredState(smi, inventory, options.target, options.translate, options.mode, options.namespaces);
  return { plan: planChanges(desired.resources, of(owned) as LiveResource[]), desired };
}
