/**
 * Checks across objects: references between SMI objects, duplicates and conflicting splits. An input
 * may be a slice of a cluster, so a missing referent is a warning unless the caller says the set is
 * complete (--strict); a match name missing from a group that is present is always an error.
 */
import { rootServiceShortName } from '../names.js';
import type { SmiObject } from '../objects.js';
import type { TrafficTarget } from '../access/v1alpha3.js';
import type { TrafficSplit } from '../split/v1alpha4.js';
import type { HTTPRouteGroup } from '../specs/v1alpha4.js';
import type { Severity } from '../diagnostic.js';

export type ObjectReport = (object: SmiObject, severity: Severity, code: string, hubPath: (string | number)[], message: string) => void;

const key = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export function checkReferences(objects: readonly SmiObject[], broken: ReadonlySet<string>, strict: boolean, report: ObjectReport): void {
  const byKey = new Map<string, SmiObject>();
  for (const o of objects) {
    const k = key(o.def.kind, o.namespace, o.name);
    const first = byKey.get(k);
    if (first) {
      report(o, 'error', 'SMI_DUPLICATE_OBJECT', [],
        `${o.def.kind} ${o.namespace}/${o.name} is defined twice (first at ${first.origin.file}:${first.origin.line}); the cluster keeps only one`);
    } else byKey.set(k, o);
  }
  const missing: Severity = strict ? 'error' : 'warning';
  const incomplete = strict ? '' : ' (a warning because the input may be a slice of the cluster; --strict makes it an error)';

  for (const o of objects) {
    if (o.def.kind === 'TrafficTarget') {
      const tt = o.hub as unknown as TrafficTarget;
      tt.spec.rules.forEach((rule, i) => {
        const target = byKey.get(key(rule.kind, o.namespace, rule.name));
        if (!target && broken.has(key(rule.kind, o.namespace, rule.name))) {
          report(o, 'warning', 'SMI_REF_INVALID', ['spec', 'rules', i, 'name'],
            `${rule.kind} "${rule.name}" is in the input but invalid (see its errors); until it is fixed this rule allows nothing`);
          return;
        }
        if (!target) {
          report(o, missing, 'SMI_REF_NOT_FOUND', ['spec', 'rules', i, 'name'],
            `${rule.kind} "${rule.name}" is not in namespace "${o.namespace}" of the input; until it exists this rule allows nothing${incomplete}`);
          return;
        }
        if (rule.kind !== 'HTTPRouteGroup' || rule.matches === undefined) return;
        const names = new Set((target.hub as unknown as HTTPRouteGroup).spec.matches.map((m) => m.name));
        rule.matches.forEach((name, j) => {
          if (!names.has(name)) {
            report(o, 'error', 'SMI_MATCH_NOT_FOUND', ['spec', 'rules', i, 'matches', j],
              `HTTPRouteGroup "${rule.name}" has no match named "${name}" (it has: ${[...names].join(', ') || 'none'})`);
          }
        });
      });
    }
  }

  const splitsByRoot = new Map<string, SmiObject[]>();
  for (const o of objects) {
    if (o.def.kind !== 'TrafficSplit') continue;
    const split = o.hub as unknown as TrafficSplit;
    (split.spec.matches ?? []).forEach((ref, i) => {
      if (!byKey.has(key('HTTPRouteGroup', o.namespace, ref.name)) && broken.has(key('HTTPRouteGroup', o.namespace, ref.name))) {
        report(o, 'warning', 'SMI_REF_INVALID', ['spec', 'matches', i, 'name'],
          `HTTPRouteGroup "${ref.name}" is in the input but invalid (see its errors); until it is fixed no request matches this split`);
      } else if (!byKey.has(key('HTTPRouteGroup', o.namespace, ref.name))) {
        report(o, missing, 'SMI_REF_NOT_FOUND', ['spec', 'matches', i, 'name'],
          `HTTPRouteGroup "${ref.name}" is not in namespace "${o.namespace}" of the input; until it exists no request matches this split${incomplete}`);
      }
    });
    const root = `${o.namespace}/${rootServiceShortName(split.spec.service, o.namespace)}`;
    splitsByRoot.set(root, [...(splitsByRoot.get(root) ?? []), o]);
  }
  for (const [root, splits] of splitsByRoot) {
    if (splits.length < 2) continue;
    const ordered = [...splits].sort(splitPrecedence);
    const winner = ordered[0] as SmiObject;
    for (const loser of ordered.slice(1)) {
      report(loser, 'error', 'SMI_SPLIT_CONFLICT', ['spec', 'service'],
        `TrafficSplit ${winner.name} already splits service ${root}; meshes merge or pick splits unpredictably, so smi applies only ${winner.name} (the oldest, then first by name). Merge the backends into one TrafficSplit`);
    }
  }
}

/** Oldest first (creationTimestamp), then by name: the split that applies when several name one root. */
export function splitPrecedence(a: SmiObject, b: SmiObject): number {
  const ta = String(a.object.metadata?.creationTimestamp ?? '');
  const tb = String(b.object.metadata?.creationTimestamp ?? '');
  if (ta !== tb) return ta === '' ? 1 : tb === '' ? -1 : ta.localeCompare(tb);
  return a.name.localeCompare(b.name);
}
