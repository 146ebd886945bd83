/** The admission webhook's view of the other SMI objects, read from a watch cache (the controller's or the webhook's own). */
import type { ClusterView } from '../webhooks/admission.js';
import type { ClusterReader } from './cache.js';
import type { WatchedKind } from '../api/watched-kinds.js';

export function clusterViewOf(cache: Pick<ClusterReader, 'in'>, kinds: readonly WatchedKind[]): ClusterView {
  return {
    objects: (namespace, kind) => {
      const k = kinds.find((x) => x.kind === kind);
      return k ? (cache.in(k, [namespace]) as ReturnType<ClusterView['objects']>) : [];
    },
  };
}
