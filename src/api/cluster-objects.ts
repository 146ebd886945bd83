/**
 * Objects read from a cluster as validated input (pure): what the API server added (status,
 * managedFields, resourceVersion, uid…) is dropped, and each object's diagnostics name it as
 * Kind/namespace/name, where files would give file:line.
 */
import { syntheticOrigin } from './document.js';
import { validateDocuments, type ValidatedSet } from './validate.js';

export interface ClusterObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; [k: string]: unknown };
  [k: string]: unknown;
}

export const objectKey = (o: ClusterObject): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** What the API server adds is not part of the object as a person wrote it. */
export function asWritten(o: ClusterObject): ClusterObject {
  const { status: _status, ...rest } = o;
  const { managedFields: _mf, resourceVersion: _rv, uid: _uid, generation: _g, creationTimestamp: _ct, ...meta } = o.metadata ?? {};
  return { ...rest, metadata: meta };
}

export function validateClusterObjects(objects: readonly ClusterObject[]): ValidatedSet {
  return validateDocuments(objects.map((o) => ({ value: asWritten(o), origin: syntheticOrigin(objectKey(o)) })));
}
