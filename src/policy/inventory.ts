/** The Kubernetes objects policy refers to: Services, ServiceAccounts and workloads. */
import type { KubeObject } from '../api/objects.js';
import type { Diagnostic } from '../api/diagnostic.js';
import { isRecord } from '../api/object.js';

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol: string;
  /** The application protocol (Kubernetes 1.18+): meshes read it (Istio's protocol selection). */
  readonly appProtocol?: string;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  /** undefined: a Service without selector (endpoints managed by hand). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
}

/** A workload (pod or pod template) and the identity it runs as. */
export interface Workload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly ports: readonly { port: number; protocol: string; name?: string }[];
}

export interface Inventory {
  readonly services: ReadonlyMap<string, Service>;
  readonly serviceAccounts: ReadonlySet<string>;
  readonly workloads: readonly Workload[];
  /** Labels of the Namespace objects in the input (for the opt-in label of the scope). */
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** The string-valued entries of a map (labels, selectors): anything else is left out. */
export function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The pod spec and labels of a workload: the Pod itself, a template, or a CronJob's job template. */
function podOf(o: KubeObject): { labels: Record<string, string>; spec: Record<string, unknown> } | undefined {
  const spec = o.object.spec;
  if (o.kind === 'Pod') return { labels: stringMap(o.object.metadata?.labels), spec: isRecord(spec) ? spec : {} };
  if (!isRecord(spec)) return undefined;
  const template = o.kind === 'CronJob' && isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec) ? spec.jobTemplate.spec.template : spec.template;
  if (!isRecord(template)) return undefined;
  const metadata = isRecord(template.metadata) ? template.metadata : {};
  return { labels: stringMap(metadata.labels), spec: isRecord(template.spec) ? template.spec : {} };
}

function containerPorts(spec: Record<string, unknown>): Workload['ports'] {
  const out: { port: number; protocol: string; name?: string }[] = [];
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isRecord(c) || !Array.isArray(c.ports)) continue;
      for (const p of c.ports) {
        if (isRecord(p) && typeof p.containerPort === 'number') {
          out.push({ port: p.containerPort, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', ...(typeof p.name === 'string' ? { name: p.name } : {}) });
        }
      }
    }
  }
  return out;
}

export function buildInventory(objects: readonly KubeObject[]): { inventory: Inventory; diagnostics: Diagnostic[] } {
  const services = new Map<string, Service>();
  const serviceAccounts = new Set<string>();
  const workloads: Workload[] = [];
  const namespaces = new Map<string, Readonly<Record<string, string>>>();
  const diagnostics: Diagnostic[] = [];
  const warn = (o: KubeObject, code: string, message: string): void => {
    diagnostics.push({ severity: 'warning', code, message, path: '', file: o.origin.file, line: o.origin.line, column: o.origin.column, object: `${o.kind}/${o.namespace}/${o.name}` });
  };
  for (const o of objects) {
    if (o.apiVersion === 'v1' && o.kind === 'Service') {
      const spec = isRecord(o.object.spec) ? o.object.spec : {};
      const ports: ServicePort[] = [];
      for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
        if (!isRecord(p) || typeof p.port !== 'number') {
          warn(o, 'SMI_INVENTORY_MALFORMED', 'a Service port without a numeric port is ignored');
          continue;
        }
        ports.push({
          port: p.port,
          protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
          ...(typeof p.name === 'string' ? { name: p.name } : {}),
          ...(typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? { targetPort: p.targetPort } : {}),
          ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
        });
      }
      services.set(`${o.namespace}/${o.name}`, { namespace: o.namespace, name: o.name, ...(isRecord(spec.selector) ? { selector: stringMap(spec.selector) } : {}), ports });
    } else if (o.apiVersion === 'v1' && o.kind === 'Namespace') {
      namespaces.set(o.name, stringMap(o.object.metadata?.labels));
    } else if (o.apiVersion === 'v1' && o.kind === 'ServiceAccount') {
      serviceAccounts.add(`${o.namespace}/${o.name}`);
    } else if (WORKLOAD_KINDS.has(o.kind)) {
      const pod = podOf(o);
      if (!pod) {
        warn(o, 'SMI_INVENTORY_MALFORMED', `${o.kind} has no pod template; it is not part of the inventory`);
        continue;
      }
      const sa = typeof pod.spec.serviceAccountName === 'string' ? pod.spec.serviceAccountName
        : typeof pod.spec.serviceAccount === 'string' ? pod.spec.serviceAccount : 'default';
      workloads.push({ kind: o.kind, namespace: o.namespace, name: o.name, labels: pod.labels, serviceAccount: sa, ports: containerPorts(pod.spec) });
    }
  }
  return { inventory: { services, serviceAccounts, workloads, namespaces }, diagnostics };
}

/** Whether a selector (all pairs must match) selects these labels; an empty selector selects nothing here, as for Services. */
export function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Workloads running as a ServiceAccount. */
/** Workloads by namespace/ServiceAccount, built once per inventory (asked per request by diff and the evaluators). */
const workloadsByIdentity = new WeakMap<Inventory, Map<string, Workload[]>>();

export function workloadsOf(inventory: Inventory, namespace: string, serviceAccount: string): Workload[] {
  let index = workloadsByIdentity.get(inventory);
  if (!index) {
    index = new Map();
    for (const w of inventory.workloads) {
      const key = `${w.namespace}/${w.serviceAccount}`;
      const list = index.get(key);
      if (list) list.push(w);
      else index.set(key, [w]);
    }
    workloadsByIdentity.set(inventory, index);
  }
  // A copy: callers may sort or filter what they get.
  return [...(index.get(`${namespace}/${serviceAccount}`) ?? [])];
}

/** Workloads by namespace, built once per inventory, in the inventory's order. */
const workloadsByNamespace = new WeakMap<Inventory, Map<string, Workload[]>>();

/** The workloads of one namespace (a look-up, where a filter of every workload made planning selectors quadratic). */
export function workloadsIn(inventory: Inventory, namespace: string): readonly Workload[] {
  let index = workloadsByNamespace.get(inventory);
  if (!index) {
    index = new Map();
    for (const w of inventory.workloads) {
      const list = index.get(w.namespace);
      if (list) list.push(w);
      else index.set(w.namespace, [w]);
    }
    workloadsByNamespace.set(inventory, index);
  }
  return index.get(namespace) ?? [];
}

/** Services by namespace, built once per inventory (an inventory is never changed once built). */
const servicesByNamespace = new WeakMap<Inventory, Map<string, Service[]>>();

function servicesIn(inventory: Inventory, namespace: string): readonly Service[] {
  let index = servicesByNamespace.get(inventory);
  if (!index) {
    index = new Map();
    for (const s of inventory.services.values()) {
      const list = index.get(s.namespace);
      if (list) list.push(s);
      else index.set(s.namespace, [s]);
    }
    servicesByNamespace.set(inventory, index);
  }
  return index.get(namespace) ?? [];
}

/** Services whose selector picks any of these workloads (looked up in the workloads' namespaces only). */
export function servicesSelecting(inventory: Inventory, workloads: readonly Workload[]): Service[] {
  const namespaces = [...new Set(workloads.map((w) => w.namespace))].sort();
  return namespaces.flatMap((ns) => servicesIn(inventory, ns).filter((s) => workloads.some((w) => w.namespace === s.namespace && selects(s.selector, w.labels))));
}
