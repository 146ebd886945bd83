/**
 * Annotations smi writes on Namespaces it does not own (Linkerd's default inbound policy): applied
 * alone under smi's field manager, so smi owns those fields and nothing else of the Namespace, and
 * given back by applying the Namespace with none of them — the server then drops what only smi owned.
 */
import { FIELD_MANAGER } from '../kube/writer.js';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:metadata'?: { 'f:annotations'?: Record<string, unknown> } };
}

export interface NamespaceObject {
  metadata?: { name?: string; annotations?: Record<string, string>; managedFields?: unknown };
}

/** The annotations smi's field manager owns on a Namespace (from its managedFields). */
export function ownedAnnotations(ns: NamespaceObject): string[] {
  const entries = (ns.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.filter((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply')
    .flatMap((e) => Object.keys(e.fieldsV1?.['f:metadata']?.['f:annotations'] ?? {}).filter((k) => k.startsWith('f:')).map((k) => k.slice(2)));
}

/** Whether a Namespace already carries these annotations as smi's. */
export function holdsAnnotations(ns: NamespaceObject | undefined, wanted: Readonly<Record<string, string>>): boolean {
  if (!ns) return false;
  const owned = new Set(ownedAnnotations(ns));
  return Object.entries(wanted).every(([k, v]) => ns.metadata?.annotations?.[k] === v && owned.has(k));
}

/** The server-side apply body that sets exactly these annotations (none: gives back every one smi owned). */
export const namespacePatch = (name: string, annotations: Readonly<Record<string, string>> = {}) =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}) } });
