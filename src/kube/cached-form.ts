/**
 * What the informer cache keeps of each object it receives. At 10k SMI objects and their inventory
 * the cache is most of the controller's memory, and most of each inventory object is never read:
 * a Deployment's status, its pod template's volumes, env, probes and resources, a Service's cluster
 * IPs. Each kind keeps exactly what the pure core reads (policy/inventory.ts for the inventory, the
 * whole object for SMI kinds, spec and metadata for the mesh resources smi owns); a property test
 * proves the desired state computed from the kept form equals the one computed from the original.
 *
 * Metadata, specs and templates are rebuilt rather than deleted from: deleting properties leaves V8
 * a slower, larger dictionary-mode object for each of thousands of cached items. Only the top level
 * loses its `status` (the last property the API server writes, which V8 takes off cheaply) or, for a
 * Namespace, ServiceAccount or Event, its `spec` by delete.
 */
import { isRecord } from '../api/object.js';

type Json = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata without managedFields and kubectl's copy of the last applied configuration. */
function keptMetadata(meta: Json, keepManagedFields: boolean): Json {
  const { managedFields, annotations, ...rest } = meta;
  const kept = isRecord(annotations) && LAST_APPLIED in annotations
    ? Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== LAST_APPLIED))
    : annotations;
  return {
    ...rest,
    ...(keepManagedFields && managedFields !== undefined ? { managedFields } : {}),
    ...(isRecord(kept) && Object.keys(kept).length > 0 ? { annotations: kept } : {}),
  };
}

/** The parts of a container the inventory reads: its ports. */
const keptContainers = (list: unknown): unknown =>
  Array.isArray(list) ? list.map((c) => (isRecord(c) ? { ...(c.name !== undefined ? { name: c.name } : {}), ...(c.ports !== undefined ? { ports: c.ports } : {}) } : c)) : list;

/** The parts of a pod template the inventory reads: labels, ServiceAccount, container ports. */
function keptTemplate(template: unknown): unknown {
  if (!isRecord(template)) return template;
  const labels = isRecord(template.metadata) ? template.metadata.labels : undefined;
  const spec = isRecord(template.spec) ? template.spec : undefined;
  return {
    metadata: labels !== undefined ? { labels } : {},
    ...(spec ? {
      spec: {
        ...(spec.serviceAccountName !== undefined ? { serviceAccountName: spec.serviceAccountName } : {}),
        ...(spec.serviceAccount !== undefined ? { serviceAccount: spec.serviceAccount } : {}),
        ...(spec.containers !== undefined ? { containers: keptContainers(spec.containers) } : {}),
        ...(spec.initContainers !== undefined ? { initContainers: keptContainers(spec.initContainers) } : {}),
      },
    } : {}),
  };
}

const WORKLOADS = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet']);

/** The spec kept for a kind; undefined: the object keeps no spec. `keep`: the spec as it is. */
function keptSpec(kind: string, spec: unknown): { spec?: unknown } | 'keep' {
  if (WORKLOADS.has(kind)) return isRecord(spec) ? { spec: { template: keptTemplate(spec.template) } } : { spec };
  if (kind === 'v1/Service') return isRecord(spec) ? { spec: { ...(spec.selector !== undefined ? { selector: spec.selector } : {}), ...(spec.ports !== undefined ? { ports: spec.ports } : {}) } } : { spec };
  if (kind === 'v1/ServiceAccount' || kind === 'v1/Namespace' || kind === 'v1/Event') return {};
  return 'keep';
}

export interface KeepRule {
  /** SMI kinds keep their status: the controller compares it with the one it would write. */
  readonly keepStatus: boolean;
}

/**
 * The form an object is cached in. Returns the same object, changed in place, so the informer's
 * own store (which hands out the objects it holds) shrinks too.
 */
export function toCachedForm<T extends object>(o: T, rule: KeepRule): T {
  const obj = o as Json;
  const kind = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  // Namespaces keep their managedFields: which annotations smi owns there is read from them (and they are few).
  if (isRecord(obj.metadata)) obj.metadata = keptMetadata(obj.metadata, kind === 'v1/Namespace');
  const spec = keptSpec(kind, obj.spec);
  if (spec !== 'keep') {
    if ('spec' in spec) obj.spec = spec.spec;
    else if ('spec' in obj) delete obj.spec;
  }
  if (!rule.keepStatus && 'status' in obj) delete obj.status;
  return o;
}
