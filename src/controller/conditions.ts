/**
 * Status conditions for an SMI object from what validation, resolution and translation said about
 * it: Accepted (schema and checks), ResolvedRefs (every object it names exists), Programmed (the
 * mesh config expresses it; False when something it grants was left out).
 */
import type { Diagnostic } from '../api/diagnostic.js';

export interface Condition {
  type: 'Accepted' | 'ResolvedRefs' | 'Programmed';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime?: string;
}

export interface SmiStatus {
  observedGeneration: number;
  conditions: Condition[];
}

const UNRESOLVED = /UNRESOLVED|NOT_FOUND|MISSING|UNKNOWN_(GROUP|ROUTE|KIND)/;
const summary = (ds: readonly Diagnostic[]): string => ds.map((d) => `${d.code}: ${d.message}`).join('; ').slice(0, 2000);

export function conditionsFor(generation: number, validation: readonly Diagnostic[], resolution: readonly Diagnostic[], translation: readonly Diagnostic[], mesh: string): SmiStatus {
  const invalid = validation.filter((d) => d.severity === 'error');
  const unresolved = [...validation, ...resolution, ...translation].filter((d) => d.severity !== 'info' && UNRESOLVED.test(d.code));
  const notExpressed = translation.filter((d) => d.severity === 'error' && !UNRESOLVED.test(d.code));
  const warnings = translation.filter((d) => d.severity === 'warning' && !UNRESOLVED.test(d.code));
  const outOfScope = resolution.filter((d) => d.code === 'SMI_OUT_OF_SCOPE');
  const c = (type: Condition['type'], ok: boolean, reason: string, message: string): Condition => ({ type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation });
  return {
    observedGeneration: generation,
    conditions: [
      invalid.length > 0 ? c('Accepted', false, 'Invalid', summary(invalid)) : c('Accepted', true, 'Accepted', 'the object is valid'),
      unresolved.length > 0 ? c('ResolvedRefs', false, 'RefNotFound', summary(unresolved)) : c('ResolvedRefs', true, 'ResolvedRefs', 'every object it refers to exists'),
      invalid.length > 0
        ? c('Programmed', false, 'Invalid', 'invalid objects are not programmed (they grant nothing)')
        : outOfScope.length > 0
          ? c('Programmed', false, 'OutOfScope', summary(outOfScope))
          : notExpressed.length > 0
          ? c('Programmed', false, 'NotExpressed', `${mesh} cannot express all of it; the mesh allows less: ${summary(notExpressed)}`)
          : c('Programmed', true, 'Programmed', warnings.length > 0 ? `programmed into ${mesh} with warnings: ${summary(warnings)}` : `programmed into ${mesh}`),
    ],
  };
}

/**
 * The mesh resources made from an object could not be written (the cluster refused them, or does not
 * serve their kind): not programmed, whatever the translation said.
 */
export function withWriteFailure(status: SmiStatus, message: string): SmiStatus {
  return {
    ...status,
    conditions: status.conditions.map((c) => (c.type === 'Programmed' && c.status === 'True'
      ? { ...c, status: 'False', reason: 'WriteFailed', message: `writing its mesh resources failed (retried with backoff): ${message}`.slice(0, 2000) }
      : c)),
  };
}

/** Conditions keep their lastTransitionTime while their status stays the same. */
export function withTransitionTimes(next: SmiStatus, previous: SmiStatus | undefined, now: string): SmiStatus {
  return {
    ...next,
    conditions: next.conditions.map((c) => {
      const before = previous?.conditions.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now };
    }),
  };
}

/**
 * Equal apart from transition times: nothing to write. Compared field by field, not by key order: the
 * API server returns the keys of a status in its own (sorted) order.
 */
export function sameStatus(a: SmiStatus | undefined, b: SmiStatus): boolean {
  if (!a || a.observedGeneration !== b.observedGeneration) return false;
  const strip = (s: SmiStatus) => JSON.stringify((s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]).sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  return strip(a) === strip(b);
}
