/**
 * Annotations and labels smi writes on Namespaces it does not own (Linkerd's default inbound policy,
 * Istio ambient's use-waypoint label): applied alone under smi's field manager, so smi owns those
 * fields and nothing else of the Namespace, and given back by applying the Namespace with none of
 * them — the server then drops what only smi owned.
 */
import { FIELD_MANAGER } from '../kube/writer.js';

/** What smi holds on one Namespace. */
export interface NamespaceFields {
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:metadata'?: { 'f:annotations'?: Record<string, unknown>; 'f:labels'?: Record<string, unknown> } };
}

export interface NamespaceObject {
  metadata?: { name?: string; annotations?: Record<string, string>; labels?: Record<string, string>; managedFields?: unknown };
}

const keysOf = (fields: Record<string, unknown> | undefined) => Object.keys(fields ?? {}).filter((k) => k.startsWith('f:')).map((k) => k.slice(2));

function applied(ns: NamespaceObject): ManagedFieldsEntry[] {
  return ((ns.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).filter((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply');
}

/** The annotations smi's field manager owns on a Namespace (from its managedFields). */
export const ownedAnnotations = (ns: NamespaceObject): string[] => applied(ns).flatMap((e) => keysOf(e.fieldsV1?.['f:metadata']?.['f:annotations']));

/** The labels smi's field manager owns on a Namespace. */
export const ownedLabels = (ns: NamespaceObject): string[] => applied(ns).flatMap((e) => keysOf(e.fieldsV1?.['f:metadata']?.['f:labels']));

/** Whether smi owns any annotation or label of this Namespace (something to give back one day). */
export const ownsAny = (ns: NamespaceObject): boolean => ownedAnnotations(ns).length + ownedLabels(ns).length > 0;

/** Whether a Namespace already carries these annotations and labels as smi's. */
export function holdsFields(ns: NamespaceObject | undefined, wanted: NamespaceFields): boolean {
  if (!ns) return false;
  const annotations = new Set(ownedAnnotations(ns));
  const labels = new Set(ownedLabels(ns));
  return Object.entries(wanted.annotations).every(([k, v]) => ns.metadata?.annotations?.[k] === v && annotations.has(k))
    && Object.entries(wanted.labels ?? {}).every(([k, v]) => ns.metadata?.labels?.[k] === v && labels.has(k));
}

/** The server-side apply body that sets exactly these fields (none: gives back every one smi owned). */
export const namespacePatch = (name: string, fields: NamespaceFields = { annotations: {} }) => ({
  apiVersion: 'v1', kind: 'Namespace',
  metadata: {
    name,
    ...(Object.keys(fields.annotations).length > 0 ? { annotations: { ...fields.annotations } } : {}),
    ...(Object.keys(fields.labels ?? {}).length > 0 ? { labels: { ...fields.labels } } : {}),
  },
});

/** Whether these fields set anything (or give everything back). */
export const setsAny = (fields: NamespaceFields): boolean => Object.keys(fields.annotations).length + Object.keys(fields.labels ?? {}).length > 0;
