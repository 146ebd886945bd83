/**
 * Label selectors on TrafficMetrics are about the Kubernetes objects (a Deployment's labels), which
 * Prometheus does not hold: the metrics server asks the cluster which objects match.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { KIND_OF, type ResourceKind } from './promql.js';

export type SelectorResolver = (kind: ResourceKind, namespace: string | undefined, labelSelector: string) => Promise<Set<string>>;

const API_VERSION: Record<ResourceKind, string> = { namespaces: 'v1', pods: 'v1', deployments: 'apps/v1', daemonsets: 'apps/v1', statefulsets: 'apps/v1' };

export function clusterResolver(kc: KubeConfig): SelectorResolver {
  const api = KubernetesObjectApi.makeApiClient(kc);
  return async (kind, namespace, labelSelector) => {
    const list = await api.list(API_VERSION[kind], KIND_OF[kind], kind === 'namespaces' ? undefined : namespace, undefined, undefined, undefined, undefined, labelSelector);
    // Keys as the API builds them: namespace/name, or the name of a namespace.
    return new Set(list.items.map((o) => (kind === 'namespaces' ? String(o.metadata?.name) : `${o.metadata?.namespace}/${o.metadata?.name}`)));
  };
}
