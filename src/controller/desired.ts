/**
 * The pure heart of the controller: from the objects in the cluster (SMI and inventory) to the mesh
 * resources smi wants, each SMI object's status, and its problems worth an Event. Same input, same
 * output: reconciling twice with nothing changed writes nothing.
 */
import type { Diagnostic } from '../api/diagnostic.js';
import { objectKey, validateClusterObjects, type ClusterObject } from '../api/cluster-objects.js';
import type { AccessMode, PolicyModel } from '../policy/model.js';
import type { ValidatedSet } from '../api/validate.js';
import type { Scope } from '../policy/scope.js';
import { resolvePolicy } from '../policy/resolve.js';
import { scopeOptions } from '../targets/registry.js';
import { groupBy } from '../group-by.js';
import { SOURCE_ANNOTATION } from '../targets/naming.js';
import type { MeshResource, Target, Translation, TranslateOptions } from '../targets/target.js';
import type { NamespaceFields } from './namespace-fields.js';
import { conditionsFor, type SmiStatus } from './conditions.js';

export { objectKey, type ClusterObject };

export interface DesiredState {
  readonly resources: MeshResource[];
  /**
   * Namespaces smi annotates (Linkerd's default inbound policy with --linkerd-namespace-deny): name →
   * the annotations it owns there. Namespaces are never created or deleted, only annotated.
   */
  readonly namespaceFields: ReadonlyMap<string, NamespaceFields>;
  /** Which of the namespaces looked at smi governs, and why (for logs and the scope metric). */
  readonly scope: Scope;
  /** Kind/namespace/name → status to write. */
  readonly statuses: Map<string, SmiStatus>;
  /** Kind/namespace/name → warnings and errors, for Events. */
  readonly problems: Map<string, Diagnostic[]>;
}

const isNamespacePatch = (r: MeshResource): boolean => r.apiVersion === 'v1' && r.kind === 'Namespace';

/** Diagnostics by the object they are about (those about no object are left out). */
const byObject = (ds: readonly Diagnostic[]): Map<string, Diagnostic[]> => groupBy(ds.filter((d) => d.object !== undefined), (d) => d.object as string);

/** Validated and resolved: the policy model of these objects. */
export function resolveObjects(smi: readonly ClusterObject[], inventory: readonly ClusterObject[], mode: AccessMode, namespaces?: readonly string[]): { validated: ValidatedSet; model: PolicyModel } {
  const validated = validateClusterObjects([...smi, ...inventory]);
  const model = resolvePolicy(validated, { mode, osmPolicies: false, scope: scopeOptions(namespaces) });
  return { validated, model };
}

export function desiredState(smi: readonly ClusterObject[], inventory: readonly ClusterObject[], target: Target, options: TranslateOptions, mode: AccessMode, namespaces?: readonly string[]): DesiredState {
  const { validated, model } = resolveObjects(smi, inventory, mode, namespaces);
  return desiredFrom(smi, validated, model, target.translate(model, options), target.name);
}

/** The desired state from a translation: owner references, statuses and problems of the SMI objects. */
export function desiredFrom(smi: readonly ClusterObject[], validated: ValidatedSet, model: PolicyModel, translation: Translation, mesh: string): DesiredState {
  // Same-namespace SMI sources own what they produced: deleting them lets the GC clean up too.
  const uids = new Map(smi.map((o) => [objectKey(o), o]));
  const namespaceFields = new Map<string, NamespaceFields>();
  for (const r of translation.resources) {
    if (isNamespacePatch(r)) namespaceFields.set(r.metadata.name, { annotations: { ...r.metadata.annotations }, ...(r.metadata.labels ? { labels: { ...r.metadata.labels } } : {}) });
  }
  const resources = translation.resources.filter((r) => !isNamespacePatch(r)).map((r) => {
    const owners = (r.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',').filter((s) => s !== '').flatMap((key) => {
      const o = uids.get(key);
      return o && o.metadata?.namespace === r.metadata.namespace && o.metadata?.uid ? [{ apiVersion: String(o.apiVersion), kind: String(o.kind), name: String(o.metadata?.name), uid: o.metadata?.uid }] : [];
    });
    return owners.length > 0 ? { ...r, metadata: { ...r.metadata, ownerReferences: owners } } : r;
  });

  const v = byObject(validated.diagnostics);
  const res = byObject(model.diagnostics);
  const tr = byObject(translation.diagnostics);
  const statuses = new Map<string, SmiStatus>();
  const problems = new Map<string, Diagnostic[]>();
  for (const o of smi) {
    const key = objectKey(o);
    statuses.set(key, conditionsFor(o.metadata?.generation ?? 1, v.get(key) ?? [], res.get(key) ?? [], tr.get(key) ?? [], mesh));
    const p = [...(v.get(key) ?? []), ...(res.get(key) ?? []), ...(tr.get(key) ?? [])].filter((d) => d.severity !== 'info');
    if (p.length > 0) problems.set(key, p);
  }
  return { resources, namespaceFields, scope: model.scope, statuses, problems };
}
