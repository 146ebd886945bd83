/** Stable names and the marks every generated resource carries (the controller relies on them). */
import { createHash } from 'node:crypto';
import type { MeshResource } from './target.js';
import type { Provenance } from '../policy/model.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'smi' } as const;
export const SOURCE_ANNOTATION = 'smi-spec.io/source';

/** A DNS-1123 name from parts, cut with a hash when too long so it stays unique and stable. */
export function resourceName(...parts: string[]): string {
  const raw = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (raw.length <= 63) return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${raw.slice(0, 54).replace(/-$/, '')}-${hash}`;
}

export function sourceList(refs: readonly Provenance[]): string {
  return [...new Set(refs.map((r) => `${r.kind}/${r.namespace}/${r.name}`))].sort().join(',');
}

export function meta(mesh: string, name: string, namespace: string, sources: readonly Provenance[]): MeshResource['metadata'] {
  return {
    name,
    namespace,
    labels: { ...MANAGED_BY, 'smi-spec.io/mesh': mesh },
    ...(sources.length > 0 ? { annotations: { [SOURCE_ANNOTATION]: sourceList(sources) } } : {}),
  };
}

/** Deterministic order: kind, namespace, name. */
export function sortResources(resources: MeshResource[]): MeshResource[] {
  return resources.sort((a, b) => a.kind.localeCompare(b.kind) || (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * A name for something generated under `base` (itself from resourceName, which never holds "--"):
 * the "--" separator keeps it distinct from any name resourceName can give, so an object whose name
 * looks like a suffix (a ServiceAccount called "x-locked-0") cannot collide with generated ones.
 */
export function derivedName(base: string, suffix: string): string {
  const name = `${base}--${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const room = 63 - suffix.length - 2 - 9;
  return `${base.slice(0, Math.max(1, room)).replace(/-+$/, '')}-${hash}--${suffix}`.slice(0, 63).replace(/-+$/, '');
}

/** A Service's cluster DNS name: <name>.<namespace>.svc.<clusterDomain>. */
export const serviceFqdn = (name: string, namespace: string, clusterDomain: string): string => `${name}.${namespace}.svc.${clusterDomain}`;
