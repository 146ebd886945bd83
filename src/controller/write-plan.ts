/**
 * What one reconcile writes, decided before anything is written (pure): the applies, the namespace
 * annotations, the deletes, the status patches and the Events, from the desired state and what the
 * cache shows. The controller runs a plan with a small executor (controller.ts); `--dry-run` and
 * `/plan` report the same plan's changes, so a preview and the writes cannot drift.
 */
import { createHash } from 'node:crypto';
import type { MeshResource } from '../targets/target.js';
import { sameStatus, type SmiStatus } from './conditions.js';
import { objectKey, type ClusterObject, type DesiredState } from './desired.js';
import { holdsFields, ownsAny, type NamespaceObject } from './namespace-fields.js';
import { DESIRED_HASH, planChanges, resourceKey, type LiveResource, type PlannedChange } from './plan.js';

export interface NamespaceFieldsWrite {
  readonly name: string;
  /** Exactly the annotations (and labels, when any) smi holds there afterwards; none: give back every one it held. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface StatusWrite {
  readonly object: ClusterObject;
  /** What the translation says; the executor adds a write failure of the object's resources, if any. */
  readonly planned: SmiStatus;
  readonly previous?: SmiStatus;
}

export interface EventWrite {
  readonly object: ClusterObject;
  readonly code: string;
  readonly message: string;
  /** Stable per object, problem and message: the Event's name suffix, so it is posted once. */
  readonly id: string;
}

export interface WritePlan {
  /** Server-side applies of smi's resources (creates and updates whose intent is not already applied). */
  readonly applies: readonly MeshResource[];
  readonly annotations: readonly NamespaceFieldsWrite[];
  /** Resources smi wrote and no longer wants; held by kind when that kind's applies are refused. */
  readonly deletes: readonly LiveResource[];
  /** Every SMI object with a planned status: the executor writes those that change. */
  readonly statuses: readonly StatusWrite[];
  readonly events: readonly EventWrite[];
  /** The plan in words, for --dry-run, /plan and logs. */
  readonly changes: readonly PlannedChange[];
}

/** What the plan reads besides the desired state: the cache, and what this process already wrote. */
export interface PlanInput {
  readonly desired: DesiredState;
  readonly smi: readonly ClusterObject[];
  /** smi's resources of the namespaces looked at, as the cache shows them. */
  readonly live: readonly LiveResource[];
  /** Namespace objects as the cache shows them (to annotate or give back). */
  readonly namespaces: ReadonlyMap<string, NamespaceObject>;
  /** The namespaces looked at; undefined: all. */
  readonly looked?: ReadonlySet<string>;
  /** Applied intents the cache has not shown back yet (resource key → desired hash). */
  readonly applied: ReadonlyMap<string, string>;
  /** Namespace → the annotations this process applied (JSON), until the cache shows them. */
  readonly annotated: ReadonlyMap<string, string>;
  /** Events already posted (namespace/name, from the cache) or sent by this process (ids). */
  readonly postedEvents: ReadonlySet<string>;
  readonly sentEvents: ReadonlySet<string>;
}

export const eventId = (o: ClusterObject, code: string, message: string): string =>
  createHash('sha256').update(`${o.metadata?.uid}/${code}/${message}`).digest('hex').slice(0, 16);

function annotationWrites(input: PlanInput): NamespaceFieldsWrite[] {
  const { desired, namespaces, looked, annotated } = input;
  const inView = (ns: string) => !looked || looked.has(ns);
  const out: NamespaceFieldsWrite[] = [];
  for (const [name, fields] of desired.namespaceFields) {
    if (!inView(name) || holdsFields(namespaces.get(name), fields) || annotated.get(name) === JSON.stringify(fields)) continue;
    out.push({ name, ...fields });
  }
  const mine = new Set([...annotated.keys(), ...[...namespaces.values()].filter(ownsAny).map((n) => n.metadata?.name ?? '')]);
  for (const name of [...mine].sort()) if (inView(name) && !desired.namespaceFields.has(name)) out.push({ name, annotations: {} });
  return out;
}

export function planWrites(input: PlanInput): WritePlan {
  const { desired, smi } = input;
  const plan = planChanges(desired.resources, input.live);
  const applies = plan.applies.filter((r) => input.applied.get(resourceKey(r)) !== r.metadata.annotations?.[DESIRED_HASH]);
  const annotations = annotationWrites(input);
  const statuses: StatusWrite[] = smi.flatMap((o) => {
    const planned = desired.statuses.get(objectKey(o));
    const previous = (o as { status?: SmiStatus }).status;
    return planned ? [{ object: o, planned, ...(previous ? { previous } : {}) }] : [];
  });
  const events: EventWrite[] = [];
  const byKey = new Map(smi.map((o) => [objectKey(o), o]));
  const seen = new Set<string>();
  for (const [key, problems] of desired.problems) {
    const o = byKey.get(key);
    if (!o) continue;
    for (const p of problems) {
      const id = eventId(o, p.code, p.message);
      if (seen.has(id) || input.sentEvents.has(id) || input.postedEvents.has(`${o.metadata?.namespace}/${o.metadata?.name}.${id}`)) continue;
      seen.add(id);
      events.push({ object: o, code: p.code, message: p.message, id });
    }
  }
  const changes: PlannedChange[] = [
    ...plan.changes,
    ...annotations.map((a): PlannedChange => ({ verb: 'update', key: `v1/Namespace//${a.name}`, kind: 'Namespace', namespace: a.name, name: a.name, fields: a.labels ? ['annotations', 'labels'] : ['annotations'] })),
  ];
  return { applies, annotations, deletes: plan.deletes, statuses, events, changes };
}

/** The status patches a plan needs once its applies ran: the changed ones, with write failures said. */
export function statusesToWrite(statuses: readonly StatusWrite[], failures: ReadonlyMap<string, string>, withFailure: (s: SmiStatus, message: string) => SmiStatus): StatusWrite[] {
  return statuses.flatMap((s) => {
    const failed = failures.get(objectKey(s.object));
    const next = failed ? withFailure(s.planned, failed) : s.planned;
    return sameStatus(s.previous, next) ? [] : [{ ...s, planned: next }];
  });
}
