/**
 * What a mesh in audit mode reports it would have denied, for `smi impact --audit-results`: the
 * evidence of the policy applied with `--enforcement audit`, from the mesh's audit metrics
 * (its Target.metrics.audit; which figures each mesh has is said there).
 */
import { metricsOf } from '../targets/registry.js';
import type { AuditFinding, AuditQuery } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';

export type { AuditFinding, AuditQuery };

export function auditQuery(mesh: MeshName, window: string, namespace?: string): AuditQuery | undefined {
  return metricsOf(mesh)?.audit?.(window, namespace);
}
