/**
 * NetworkPolicies for smi's own namespace: nothing reaches smi's pods but what must. The webhook
 * (admission and conversion) and the TrafficMetrics API are called by the API server (the
 * aggregator), which no pod selector can name: open to the CIDRs given (--api-server-cidr), else to
 * any address on that one port — Kubernetes gives no way to say "the control plane". The
 * controller's /metrics and /plan (health port) are open only to the namespaces named
 * (--allow-metrics-from); kubelet probes come from the node, which CNIs let through (Calico, Cilium's
 * allow-localhost): smi opens nothing for them.
 */
type Obj = Record<string, unknown>;

export interface SmiNetworkOptions {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Whether the controller serves the webhook on 9443. */
  readonly webhook: boolean;
  /** Whether the metrics-server runs (port 6443). */
  readonly metricsServer: boolean;
  /** Where the API server's requests come from; absent: any address (on the webhook ports only). */
  readonly apiServerCidrs?: readonly string[];
  /** Namespaces (Prometheus) that may scrape the controller's metrics and read its health and plan. */
  readonly metricsFrom?: readonly string[];
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

export function smiNetworkPolicies(o: SmiNetworkOptions): Obj[] {
  const policy = (name: string, podSelector: Obj, ingress: Obj[]): Obj => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: o.namespace, labels: { ...o.labels } },
    spec: { podSelector, policyTypes: ['Ingress'], ingress },
  });
  const fromApiServer = o.apiServerCidrs && o.apiServerCidrs.length > 0 ? { from: o.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {};
  const controller = { matchLabels: { 'app.kubernetes.io/name': 'smi-controller' } };
  const out = [
    // Every pod of the namespace is isolated: only the rules below let anything in.
    policy('smi-default-deny-ingress', {}, []),
  ];
  if (o.webhook) out.push(policy('smi-webhook-from-api-server', controller, [{ ...fromApiServer, ports: [{ protocol: 'TCP', port: 9443 }] }]));
  if (o.metricsServer) out.push(policy('smi-metrics-server-from-aggregator', { matchLabels: { 'app.kubernetes.io/name': 'smi-metrics-server' } }, [{ ...fromApiServer, ports: [{ protocol: 'TCP', port: 6443 }] }]));
  if (o.metricsFrom && o.metricsFrom.length > 0) {
    out.push(policy('smi-controller-metrics', controller, [{
      from: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: [...o.metricsFrom].sort() }] } }],
      ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 8081 }],
    }]));
  }
  return out;
}
