/**
 * Label selectors on TrafficMetrics are about the Kubernetes objects (a Deployment's labels), which
 * Prometheus does not hold: the metrics server asks the cluster which objects match.
 */
import { rootServiceShortName } from '../api/names.js';
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { KIND_OF } from './promql.js';
import type { ResourceKind } from '../targets/metrics-spec.js';
import { selects, stringMap } from '../policy/inventory.js';
import { isRecord } from '../api/object.js';

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

export interface SplitInfo { readonly name: string; readonly service: string; readonly backends: readonly { service: string; weight: number }[] }
/** TrafficSplits of a namespace (one by name, or all), as the metrics of their backends need them. */
export type SplitResolver = (namespace: string, name?: string) => Promise<SplitInfo[]>;

export function clusterSplits(kc: KubeConfig): SplitResolver {
  const api = KubernetesObjectApi.makeApiClient(kc);
  return async (namespace, name) => {
    const list = await api.list('split.smi-spec.io/v1alpha4', 'TrafficSplit', namespace);
    return list.items
      .filter((o) => name === undefined || o.metadata?.name === name)
      .map((o) => {
        const spec = (o as { spec?: { service?: string; backends?: { service?: string; weight?: number }[] } }).spec ?? {};
        return { name: String(o.metadata?.name), service: rootServiceShortName(String(spec.service ?? ''), namespace ?? String(o.metadata?.namespace ?? '')), backends: (spec.backends ?? []).map((b) => ({ service: String(b.service ?? ''), weight: Number(b.weight ?? 0) })) };
      });
  };
}

/** The Services in front of a workload: those whose selector picks its pods (App Mesh callers name the Service, not the workload). */
export type FrontingResolver = (kind: Exclude<ResourceKind, 'namespaces'>, namespace: string, name: string) => Promise<string[]>;

export function clusterFronting(kc: KubeConfig): FrontingResolver {
  const api = KubernetesObjectApi.makeApiClient(kc);
  return async (kind, namespace, name) => {
    let workload: Record<string, unknown>;
    try {
      workload = (await api.read({ apiVersion: API_VERSION[kind], kind: KIND_OF[kind], metadata: { name, namespace } })) as unknown as Record<string, unknown>;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return [];
      throw e;
    }
    const spec = isRecord(workload.spec) ? workload.spec : {};
    const template = isRecord(spec.template) && isRecord(spec.template.metadata) ? spec.template.metadata : undefined;
    const labels = stringMap(kind === 'pods' ? (workload.metadata as Record<string, unknown> | undefined)?.labels : template?.labels);
    const services = await api.list('v1', 'Service', namespace);
    return services.items
      .filter((s) => { const sel = (s as { spec?: { selector?: unknown } }).spec?.selector; return isRecord(sel) && selects(stringMap(sel), labels); })
      .map((s) => String(s.metadata?.name)).sort();
  };
}
