/**
 * Lossless conversion between any two served versions of a kind.
 *
 * Plain conversion goes version → hub → version and may lose fields one side cannot hold. To make
 * round trips exact (as Kubernetes does), the object's "truth" — the last version a person wrote —
 * is kept in an annotation whenever the result cannot reproduce it. An empty annotations map counts
 * as no annotations, as it does in Kubernetes (omitempty).
 *
 * The annotation is a second source of policy, so it is held to more than the object (docs/semantics.md A9):
 * - it is checked like a spec, against its version's schema; an annotation that is not a valid object
 *   of a served version makes the object invalid (it then takes no part in policy);
 * - it is trusted only while the object is still an unedited projection of it. An object edited since
 *   (at another version) whose annotation held a restriction that version cannot show — a
 *   TrafficTarget port, header filters, TCPRoute ports — is invalid until the edit is made at the
 *   annotation's version or the annotation is removed: an edit never drops a limit silently. An
 *   edit that loses no restriction makes the edited object the truth, as before;
 * - it never grants what the visible object does not: an object whose annotation holds a rule its
 *   shown version cannot hold (a UDPRoute rule behind a v1alpha2 TrafficTarget) is invalid; it is to be
 *   written at the version that shows the rule. Conversion itself stays lossless.
 */
import type { AnyObject } from './schema.js';
import { findKind, findVersion, hubVersion, type KindDef, type Loss } from './registry.js';
import { jsonEqual, splitApiVersion, isRecord } from './object.js';
import { checkerFor } from './schema-check.js';
import { schemaProblems } from './schema-errors.js';
import { formatPath } from './diagnostic.js';

export const CONVERSION_ANNOTATION = 'smi-spec.io/conversion-source';

export interface ConversionOutcome {
  readonly object: AnyObject;
  /** What readers of the target version (other than smi) will not see, in words. */
  readonly losses: readonly string[];
}

export type ConversionResult = { ok: true; value: ConversionOutcome } | { ok: false; code: string; message: string };

/** A problem with the annotation, for validation to report at metadata.annotations. */
export interface TruthProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

/** The object a person last wrote, and what stands in the way of trusting the annotation. */
export interface Truth {
  /** What policy reads: the written object without grants the shown version hides. */
  readonly object: AnyObject;
  /** What conversion carries (round trips stay exact): the written object as it is. */
  readonly written: AnyObject;
  /** false when the annotation is stale or invalid: conversion then keeps it as it was, so every version shows the problem. */
  readonly trusted: boolean;
  readonly problem?: TruthProblem;
}

/** version → hub → version without the annotation mechanism. */
function plainConvert(kind: KindDef, object: AnyObject, toVersion: string, notes: Loss[]): AnyObject {
  const from = splitApiVersion(object.apiVersion).version;
  if (from === toVersion) return object;
  const hub = hubVersion(kind);
  const source = findVersion(kind, from);
  const target = findVersion(kind, toVersion);
  if (source === undefined || target === undefined) throw new Error(`unknown version ${from} or ${toVersion} of ${kind.kind}`);
  const hubObject = source.toHub ? source.toHub(object, notes) : object;
  if (target === hub) return hubObject;
  if (!target.fromHub) throw new Error(`${kind.kind} ${toVersion} has no conversion from the hub`);
  return target.fromHub(hubObject, notes);
}

function withoutAnnotation(object: AnyObject): { bare: AnyObject; stored: string | undefined } {
  const annotations = object.metadata?.annotations;
  const stored = annotations?.[CONVERSION_ANNOTATION];
  if (stored === undefined || annotations === undefined) return { bare: object, stored: undefined };
  const { [CONVERSION_ANNOTATION]: _dropped, ...rest } = annotations;
  const metadata = { ...object.metadata };
  if (Object.keys(rest).length > 0) metadata.annotations = rest;
  else delete metadata.annotations;
  return { bare: { ...object, metadata }, stored };
}

function withAnnotation(object: AnyObject, truth: AnyObject): AnyObject {
  const { metadata: _m, ...content } = truth;
  return withStored(object, JSON.stringify(content));
}

function withStored(object: AnyObject, stored: string): AnyObject {
  const metadata = { ...object.metadata };
  metadata.annotations = { ...metadata.annotations, [CONVERSION_ANNOTATION]: stored };
  return { ...object, metadata };
}

const ANNOTATION = `the ${CONVERSION_ANNOTATION} annotation`;

/** The annotation's object, checked like a spec of its version; or why it cannot be one. */
function storedObject(kind: KindDef, bare: AnyObject, stored: string): { candidate: AnyObject } | { why: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return { why: 'is not JSON' };
  }
  if (!isRecord(parsed) || typeof parsed.apiVersion !== 'string' || parsed.kind !== bare.kind) return { why: `is not a ${bare.kind} object with an apiVersion` };
  const { group, version } = splitApiVersion(parsed.apiVersion);
  const versionDef = group === kind.group ? findVersion(kind, version) : undefined;
  if (versionDef === undefined) return { why: `names ${JSON.stringify(parsed.apiVersion).slice(0, 80)}, not a served version of ${kind.kind}` };
  const candidate = { ...parsed, metadata: bare.metadata } as AnyObject;
  const checker = checkerFor(versionDef.schema);
  if (!checker.Check(candidate)) {
    const problems = schemaProblems(checker.Errors(candidate), 3).map((p) => `${formatPath(p.path)}: ${p.message}`);
    return { why: `is not a valid ${parsed.apiVersion} ${kind.kind}: ${problems.join('; ')}` };
  }
  return { candidate };
}

/** A TrafficTarget without the rules its shown version cannot hold (an annotation never grants them). */
function withoutHiddenGrants(candidate: AnyObject): AnyObject {
  const spec = candidate.spec as { rules?: { kind?: string }[] } | undefined;
  if (!spec?.rules) return candidate;
  return { ...candidate, spec: { ...spec, rules: spec.rules.filter((r) => r.kind !== 'UDPRoute') } };
}

/** The object a person last wrote, as far as it can be trusted (see the module comment). */
export function readTruth(object: AnyObject): Truth {
  const kind = kindOf(object);
  if (kind === undefined) return { object, written: object, trusted: true };
  const { bare, stored } = withoutAnnotation(object);
  if (stored === undefined) return { object: bare, written: bare, trusted: true };
  const read = storedObject(kind, bare, stored);
  if ('why' in read) {
    return { object: bare, written: bare, trusted: false, problem: { severity: 'error', code: 'SMI_CONVERSION_ANNOTATION_INVALID', message: `${ANNOTATION} ${read.why}. smi reads it as the object as first written, so it must be one; remove the annotation to use the object as shown` } };
  }
  const candidate = read.candidate;
  const shown = splitApiVersion(bare.apiVersion).version;
  const written = splitApiVersion(candidate.apiVersion).version;
  const losses: Loss[] = [];
  let projected: AnyObject;
  try {
    projected = plainConvert(kind, candidate, shown, losses);
  } catch (e) {
    return { object: bare, written: bare, trusted: false, problem: { severity: 'error', code: 'SMI_CONVERSION_ANNOTATION_INVALID', message: `${ANNOTATION} cannot be converted to ${shown}: ${String(e).slice(0, 200)}` } };
  }
  if (!jsonEqual(projected, bare)) {
    // The limits it held that the shown version, or the stored (hub) one, cannot show.
    const toHub: Loss[] = [];
    plainConvert(kind, candidate, hubVersion(kind).version, toHub);
    const restrictions = [...new Map([...losses, ...toHub].filter((l) => l.effect === 'restricts').map((l) => [l.text, l])).values()];
    if (restrictions.length === 0) return { object: bare, written: bare, trusted: true }; // edited since, and nothing it held limited access: the edit is the truth
    return {
      object: bare,
      written: bare,
      trusted: false,
      problem: {
        severity: 'error', code: 'SMI_CONVERSION_ANNOTATION_STALE',
        message: `this ${kind.kind} was written at ${written} with ${restrictions.map((r) => r.text).join('; ')}, and edited at ${shown} since, where that limit does not show: ` +
          `smi cannot tell whether the edit meant to drop that limit, so the object takes no part in policy. To keep the limit, make the edit at ${kind.group}/${written}; ` +
          `to drop it on purpose, remove ${ANNOTATION} in the same edit`,
      },
    };
  }
  const grants = losses.filter((l) => l.effect === 'grants');
  if (grants.length > 0) {
    return {
      object: withoutHiddenGrants(candidate),
      written: candidate,
      trusted: true,
      problem: {
        severity: 'error', code: 'SMI_CONVERSION_ANNOTATION_HIDDEN_GRANT',
        message: `${ANNOTATION} holds ${grants.map((g) => g.text).join('; ')}, which the object as shown (${shown}) does not: an annotation never grants access, so the object takes no part in policy. Write it at ${kind.group}/${written}, where the grant shows`,
      },
    };
  }
  return { object: candidate, written: candidate, trusted: true };
}

/** The object a person last wrote, as far as the annotation can be trusted. */
export function truthOf(object: AnyObject): AnyObject {
  return readTruth(object).object;
}

function kindOf(object: AnyObject): KindDef | undefined {
  return findKind(splitApiVersion(object.apiVersion).group, object.kind);
}

/** Converts a valid SMI object to another served version of its kind. */
export function convertObject(object: AnyObject, toApiVersion: string): ConversionResult {
  const kind = kindOf(object);
  const target = splitApiVersion(toApiVersion);
  if (kind === undefined) return { ok: false, code: 'SMI_UNKNOWN_KIND', message: `${object.kind} in ${object.apiVersion} is not an SMI kind` };
  if (target.group !== kind.group) {
    return { ok: false, code: 'SMI_CONVERT_GROUP', message: `${kind.kind} belongs to ${kind.group}; it cannot become ${toApiVersion}` };
  }
  if (findVersion(kind, target.version) === undefined) {
    const served = kind.versions.map((v) => v.version).join(', ');
    return { ok: false, code: 'SMI_CONVERT_VERSION', message: `${kind.kind} has no version ${target.version}; served versions: ${served}` };
  }
  const { written: truth, trusted } = readTruth(object);
  const notes: Loss[] = [];
  let result = plainConvert(kind, truth, target.version, notes);
  if (!trusted) {
    // Converted as shown, with the annotation kept as it was: every version then shows the same problem.
    const stored = object.metadata?.annotations?.[CONVERSION_ANNOTATION];
    return { ok: true, value: { object: stored === undefined ? result : withStored(result, stored), losses: notes.map((n) => n.text) } };
  }
  const truthVersion = splitApiVersion(truth.apiVersion).version;
  if (truthVersion !== target.version && !jsonEqual(plainConvert(kind, result, truthVersion, []), truth)) {
    result = withAnnotation(result, truth);
  }
  return { ok: true, value: { object: result, losses: notes.map((n) => n.text) } };
}
