/**
 * The TrafficMetrics API (metrics.smi-spec.io v1alpha1 and v1alpha2) as an aggregated API serves it:
 * discovery, list and get for namespaces, deployments, pods, daemonsets and statefulsets, the
 * `edges` sub-resource, and a `window`. Answers are built from Prometheus (promql.ts); a Prometheus
 * that is down or slow is a 503 with a Status. The HTTP server around it is server.ts.
 */
import { edgeQueries, edgesNeedFronting, missingLabels, splitBackendQueries, KIND_OF, parseWindow, RESOURCE_KINDS, resourceQueries, groupLabels, type ResourceQueries } from './promql.js';
import type { ResourceKind } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';
import { Prometheus, PrometheusUnavailable } from './prometheus.js';
import type { FrontingResolver, SelectorResolver, SplitResolver } from './resolver.js';

export const GROUP = 'metrics.smi-spec.io';
export const VERSIONS = ['v1alpha2', 'v1alpha1'] as const;

export interface MetricsApiOptions {
  readonly mesh: MeshName;
  readonly prometheus: Prometheus;
  /** The evaluation time in seconds (tests pin it); default: now. */
  readonly now?: () => number;
  /** Which objects a label selector picks (needs the cluster); without it, selectors are refused. */
  readonly resolveSelector?: SelectorResolver;
  /** The TrafficSplits whose backends trafficsplits metrics describe (needs the cluster). */
  readonly resolveSplits?: SplitResolver;
  /** The Services in front of a workload, for meshes whose callers name the Service (App Mesh); without it those edges are left out. */
  readonly resolveFronting?: FrontingResolver;
}

type Answer = { code: number; body: unknown };
const LABEL_CHECK_MS = 60_000;
const status = (code: number, reason: string, message: string): Answer => ({ code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message } });

interface Metric { name: string; unit?: string; value: string }
const fmt = (n: number) => String(Number.isInteger(n) ? n : Math.round(n * 1000) / 1000);

async function evaluate(p: Prometheus, q: ResourceQueries, at: number, key: (m: Record<string, string>) => string): Promise<Map<string, Metric[]>> {
  const [success, failure, p50, p90, p99] = await Promise.all([q.success, q.failure, q.p50, q.p90, q.p99].map((x) => p.query(x, at)));
  const out = new Map<string, Metric[]>();
  const add = (samples: NonNullable<typeof success>, name: string, unit?: string) => {
    for (const s of samples) {
      if (!Number.isFinite(s.value)) continue;
      const k = key(s.metric);
      out.set(k, [...(out.get(k) ?? []), { name, ...(unit ? { unit } : {}), value: fmt(s.value) }]);
    }
  };
  add(p50!, 'p50_response_latency', 'ms');
  add(p90!, 'p90_response_latency', 'ms');
  add(p99!, 'p99_response_latency', 'ms');
  add(success!, 'success_count');
  add(failure!, 'failure_count');
  // Every resource seen gets both counts, even when one is zero (no series for that class).
  for (const metrics of out.values()) for (const name of ['success_count', 'failure_count']) if (!metrics.some((m) => m.name === name)) metrics.push({ name, value: '0' });
  return out;
}

/** Equality requirements as matchLabels, the rest as matchExpressions (the list's `selector` field). */
function parseSelector(text: string): { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: { key: string; operator: string; values?: string[] }[] = [];
  for (const term of text.split(/,(?![^(]*\))/).map((t) => t.trim()).filter((t) => t !== '')) {
    let m = /^([\w./-]+)\s*==?\s*([\w.-]*)$/.exec(term);
    if (m) { matchLabels[m[1]!] = m[2]!; continue; }
    m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) { matchExpressions.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3]!.split(',').map((v) => v.trim()) }); continue; }
    m = /^(!?)([\w./-]+)$/.exec(term);
    if (m) matchExpressions.push({ key: m[2]!, operator: m[1] ? 'DoesNotExist' : 'Exists' });
  }
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}

export class MetricsApi {
  constructor(private readonly options: MetricsApiOptions) {}

  private resources(version: string): unknown {
    return {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${GROUP}/${version}`,
      resources: RESOURCE_KINDS.flatMap((r) => [
        { name: r, singularName: '', namespaced: r !== 'namespaces', kind: 'TrafficMetrics', verbs: ['get', 'list'] },
        ...(r !== 'namespaces' ? [{ name: `${r}/edges`, singularName: '', namespaced: true, kind: 'TrafficMetricsList', verbs: ['get'] }] : []),
      ]).concat([{ name: 'trafficsplits', singularName: '', namespaced: true, kind: 'TrafficMetrics', verbs: ['get', 'list'] }]),
    };
  }

  /** Serves one GET by path and query; everything else is the server's concern. */
  async get(path: string, query: URLSearchParams): Promise<Answer> {
    const parts = path.replace(/\/+$/, '').split('/').slice(1);
    if (parts[0] !== 'apis' || parts[1] !== GROUP) return status(404, 'NotFound', `the server could not find the requested resource`);
    if (parts.length === 2) return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: VERSIONS.map((v) => ({ groupVersion: `${GROUP}/${v}`, version: v })), preferredVersion: { groupVersion: `${GROUP}/v1alpha2`, version: 'v1alpha2' } } };
    const version = parts[2]!;
    if (!(VERSIONS as readonly string[]).includes(version)) return status(404, 'NotFound', `${GROUP} has no version ${version}; served: ${VERSIONS.join(', ')}`);
    if (parts.length === 3) return { code: 200, body: this.resources(version) };
    const window = parseWindow(query.get('window'));
    if (!window) return status(400, 'BadRequest', `window ${JSON.stringify(query.get('window'))} is not a duration such as 30s, 1m or 5m`);
    const labelSelector = query.get('labelSelector') ?? undefined;
    if (labelSelector && !this.options.resolveSelector) return status(400, 'BadRequest', 'labelSelector needs the metrics server to reach the cluster (run it with --kubeconfig, or in-cluster)');
    let rest = parts.slice(3);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    } else if (rest[0] === 'namespaces' && rest.length === 2) {
      return this.answer(version, window, { kind: 'namespaces', name: rest[1]! });
    }
    if (rest[0] === 'trafficsplits' && namespace !== undefined && rest.length <= 2) return this.splits(version, window, namespace, rest[1]);
    const kind = rest[0] as ResourceKind;
    if (!RESOURCE_KINDS.includes(kind) || (kind === 'namespaces' && namespace !== undefined)) return status(404, 'NotFound', `${GROUP}/${version} serves ${RESOURCE_KINDS.join(', ')}`);
    if (rest.length === 1) return this.answer(version, window, { kind, ...(namespace !== undefined ? { namespace } : {}) }, labelSelector);
    if (rest.length === 2) return this.answer(version, window, { kind, ...(namespace !== undefined ? { namespace } : {}), name: rest[1]! });
    if (rest.length === 3 && rest[2] === 'edges' && namespace !== undefined && kind !== 'namespaces') return this.edges(version, window, kind, namespace, rest[1]!);
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }

  private at(): number {
    return this.options.now?.() ?? Date.now() / 1000;
  }

  /** Whether the mesh's metrics lack the labels smi reads, as last asked of Prometheus (a setting: asked once a minute, not per request). */
  private labelCheck?: { readonly until: number; readonly missing: boolean };

  /** A 503 saying how to configure the mesh when its metrics lack the labels smi reads (Hubble's context labels). */
  private async unlabelled(at: number): Promise<Answer | undefined> {
    const check = missingLabels(this.options.mesh);
    if (!check) return undefined;
    const now = Date.now();
    if (!this.labelCheck || this.labelCheck.until <= now) {
      this.labelCheck = { until: now + LABEL_CHECK_MS, missing: (await this.options.prometheus.query(check.promql, at)).length > 0 };
    }
    return this.labelCheck.missing ? status(503, 'ServiceUnavailable', check.message) : undefined;
  }

  private async answer(version: string, window: string, s: { kind: ResourceKind; namespace?: string; name?: string }, labelSelector?: string): Promise<Answer> {
    const at = this.at();
    let picked: Set<string> | undefined;
    if (labelSelector) {
      try {
        picked = await this.options.resolveSelector!(s.kind, s.namespace, labelSelector);
      } catch (e) {
        return status(503, 'ServiceUnavailable', `cannot list ${s.kind} matching ${labelSelector}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const labels = groupLabels(this.options.mesh, s.kind);
    let found: Map<string, Metric[]>;
    try {
      const unlabelled = await this.unlabelled(at);
      if (unlabelled) return unlabelled;
      found = await evaluate(this.options.prometheus, resourceQueries(this.options.mesh, s, window), at, (m) => labels.map((l) => m[l] ?? '').join('/'));
    } catch (e) {
      if (e instanceof PrometheusUnavailable) return status(503, 'ServiceUnavailable', e.message);
      throw e;
    }
    const apiVersion = `${GROUP}/${version}`;
    const timestamp = new Date(at * 1000).toISOString();
    const item = (key: string, metrics: Metric[]) => {
      const [ns, name] = s.kind === 'namespaces' ? [undefined, key] : key.split('/');
      return { apiVersion, kind: 'TrafficMetrics', resource: { kind: KIND_OF[s.kind], ...(ns !== undefined ? { namespace: ns } : {}), name }, timestamp, window, metrics: metrics.sort((a, b) => a.name.localeCompare(b.name)) };
    };
    if (s.name !== undefined) {
      const metrics = [...found.values()][0];
      if (!metrics) return status(404, 'NotFound', `no traffic metrics for ${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} in the last ${window}`);
      const key = s.kind === 'namespaces' ? s.name : `${s.namespace}/${s.name}`;
      return { code: 200, body: item(key, metrics) };
    }
    const items = [...found].filter(([k]) => !picked || picked.has(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, m]) => item(k, m));
    return { code: 200, body: { apiVersion, kind: 'TrafficMetricsList', resource: { kind: KIND_OF[s.kind], ...(s.namespace ? { namespace: s.namespace } : {}) }, ...(labelSelector ? { selector: parseSelector(labelSelector) } : {}), items } };
  }

  /** Per backend of each TrafficSplit: the requests sent to that backend (client side). */
  private async splits(version: string, window: string, namespace: string, name: string | undefined): Promise<Answer> {
    if (!this.options.resolveSplits) return status(400, 'BadRequest', 'trafficsplits metrics need the metrics server to read TrafficSplits from the cluster (--kubeconfig, or in-cluster)');
    const at = this.at();
    const apiVersion = `${GROUP}/${version}`;
    const timestamp = new Date(at * 1000).toISOString();
    let splits;
    try {
      splits = await this.options.resolveSplits(namespace, name);
    } catch (e) {
      return status(503, 'ServiceUnavailable', `cannot read TrafficSplits: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (name !== undefined && splits.length === 0) return status(404, 'NotFound', `TrafficSplit ${namespace}/${name} not found`);
    const items: unknown[] = [];
    try {
      for (const split of splits) {
        for (const b of split.backends) {
          const q = splitBackendQueries(this.options.mesh, namespace, b.service, window);
          if (!q) return status(404, 'NotFound', `${this.options.mesh}'s metrics do not name the destination Service: trafficsplits metrics are not available`);
          const metrics = (await evaluate(this.options.prometheus, q, at, () => 'split')).get('split') ?? [{ name: 'success_count', value: '0' }, { name: 'failure_count', value: '0' }];
          items.push({
            apiVersion, kind: 'TrafficMetrics', resource: { kind: 'TrafficSplit', namespace, name: split.name }, edge: { direction: 'from', side: 'client', resource: {} },
            backend: { apex: split.service, ...(version === 'v1alpha1' ? { name: b.service } : { leaf: b.service }), weight: b.weight },
            timestamp, window, metrics: metrics.sort((x, y) => x.name.localeCompare(y.name)),
          });
        }
      }
    } catch (e) {
      if (e instanceof PrometheusUnavailable) return status(503, 'ServiceUnavailable', e.message);
      throw e;
    }
    return { code: 200, body: { apiVersion, kind: 'TrafficMetricsList', resource: { kind: 'TrafficSplit', namespace, ...(name ? { name } : {}) }, items } };
  }

  private async edges(version: string, window: string, kind: ResourceKind, namespace: string, name: string): Promise<Answer> {
    const at = this.at();
    const apiVersion = `${GROUP}/${version}`;
    const timestamp = new Date(at * 1000).toISOString();
    const resource = { kind: KIND_OF[kind], namespace, name };
    const items: unknown[] = [];
    try {
      const unlabelled = await this.unlabelled(at);
      if (unlabelled) return unlabelled;
      const workloadKind = kind as Exclude<ResourceKind, 'namespaces'>;
      let fronting: string[] | undefined;
      if (edgesNeedFronting(this.options.mesh) && this.options.resolveFronting) {
        try {
          fronting = await this.options.resolveFronting(workloadKind, namespace, name);
        } catch (e) {
          return status(503, 'ServiceUnavailable', `cannot read the Services in front of ${namespace}/${name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const e of edgeQueries(this.options.mesh, { kind: workloadKind, namespace, name, ...(fronting ? { fronting } : {}) }, window)) {
        const found = await evaluate(this.options.prometheus, e.queries, at, (m) => `${m[e.peer.namespace] ?? ''}/${m[e.peer.name] ?? ''}`);
        for (const [peer, metrics] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
          const [pns, pname] = peer.split('/');
          items.push({ apiVersion, kind: 'TrafficMetrics', resource, edge: { direction: e.direction, side: e.side, resource: { kind: e.peerKind ?? KIND_OF[kind], namespace: pns, name: pname } }, timestamp, window, metrics: metrics.sort((a, b) => a.name.localeCompare(b.name)) });
        }
      }
    } catch (e) {
      if (e instanceof PrometheusUnavailable) return status(503, 'ServiceUnavailable', e.message);
      throw e;
    }
    return { code: 200, body: { apiVersion, kind: 'TrafficMetricsList', resource, items } };
  }
}
