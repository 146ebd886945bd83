/**
 * Lossless conversion between any two served versions of a kind.
 *
 * Plain conversion goes version → hub → version and may lose fields one side cannot hold. To make
 * round trips exact (as Kubernetes does), the object's "truth" — the last version a person wrote —
 * is kept in an annotation whenever the result cannot reproduce it. The truth is trusted only while
 * the object is still an unedited projection of it; an edited object becomes the new truth.
 * An empty annotations map counts as no annotations, as it does in Kubernetes (omitempty).
 */
import type { AnyObject } from './schema.js';
import { findKind, findVersion, hubVersion, type KindDef } from './registry.js';
import { jsonEqual, splitApiVersion, isRecord } from './object.js';

export const CONVERSION_ANNOTATION = 'smi-spec.io/conversion-source';

export interface ConversionOutcome {
  readonly object: AnyObject;
  /** What readers of the target version (other than smi) will not see, in words. */
  readonly losses: readonly string[];
}

export type ConversionResult = { ok: true; value: ConversionOutcome } | { ok: false; code: string; message: string };

/** version → hub → version without the annotation mechanism. */
function plainConvert(kind: KindDef, object: AnyObject, toVersion: string, notes: string[]): AnyObject {
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
  const metadata = { ...object.metadata };
  metadata.annotations = { ...metadata.annotations, [CONVERSION_ANNOTATION]: JSON.stringify(content) };
  return { ...object, metadata };
}

/** The object a person last wrote: the stored truth if `bare` is still its projection, else `bare`. */
export function truthOf(object: AnyObject): AnyObject {
  const kind = kindOf(object);
  if (kind === undefined) return object;
  const { bare, stored } = withoutAnnotation(object);
  if (stored === undefined) return bare;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return bare;
  }
  if (!isRecord(parsed) || typeof parsed.apiVersion !== 'string' || parsed.kind !== bare.kind) return bare;
  const candidate = { ...parsed, metadata: bare.metadata } as AnyObject;
  const { group, version } = splitApiVersion(candidate.apiVersion);
  if (group !== kind.group || findVersion(kind, version) === undefined) return bare;
  try {
    const projected = plainConvert(kind, candidate, splitApiVersion(bare.apiVersion).version, []);
    return jsonEqual(projected, bare) ? candidate : bare;
  } catch {
    return bare;
  }
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
  const truth = truthOf(object);
  const notes: string[] = [];
  let result = plainConvert(kind, truth, target.version, notes);
  const truthVersion = splitApiVersion(truth.apiVersion).version;
  if (truthVersion !== target.version && !jsonEqual(plainConvert(kind, result, truthVersion, []), truth)) {
    result = withAnnotation(result, truth);
  }
  return { ok: true, value: { object: result, losses: notes } };
}
