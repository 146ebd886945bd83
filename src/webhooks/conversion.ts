/**
 * CRD conversion (apiextensions.k8s.io/v1 ConversionReview) between every served SMI version, with
 * the same lossless conversion as `smi convert` (what a version cannot hold travels in an annotation).
 * Pure: the review in, the review out.
 */
import { convertObject } from '../api/convert.js';
import type { AnyObject } from '../api/schema.js';
import { isRecord, splitApiVersion } from '../api/object.js';
import { findKind, findVersion } from '../api/registry.js';
import { BadReview } from './admission.js';

export interface ConversionReview {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'ConversionReview';
  request?: { uid: string; desiredAPIVersion: string; objects: unknown[] };
  response?: { uid: string; convertedObjects: unknown[]; result: { status: 'Success' | 'Failure'; message?: string } };
}

export function parseConversionReview(body: unknown): ConversionReview & { request: NonNullable<ConversionReview['request']> } {
  if (!isRecord(body) || body.apiVersion !== 'apiextensions.k8s.io/v1' || body.kind !== 'ConversionReview') throw new BadReview('expected an apiextensions.k8s.io/v1 ConversionReview');
  const r = body.request;
  if (!isRecord(r) || typeof r.uid !== 'string' || typeof r.desiredAPIVersion !== 'string' || !Array.isArray(r.objects)) throw new BadReview('the ConversionReview has no request with uid, desiredAPIVersion and objects');
  return body as unknown as ConversionReview & { request: NonNullable<ConversionReview['request']> };
}

export function convert(review: ConversionReview & { request: NonNullable<ConversionReview['request']> }): ConversionReview {
  const { uid, desiredAPIVersion, objects } = review.request;
  const converted: unknown[] = [];
  for (const o of objects) {
    if (!isRecord(o)) return failure(uid, 'an object to convert is not a map');
    const label = `${String(o.kind)} ${String((o.metadata as { name?: string } | undefined)?.name ?? '')}`.slice(0, 300);
    // An object of no served SMI version, or one too malformed to convert, is a Failure, never a crash.
    // (Not a schema check: what the API server stored at one version may not fit another's schema, as
    // a v1alpha3 TrafficTarget with only UDP rules shown at v1alpha1, and must still convert back.)
    const { group, version } = splitApiVersion(typeof o.apiVersion === 'string' ? o.apiVersion : '');
    const def = typeof o.kind === 'string' ? findKind(group, o.kind) : undefined;
    if (!def || !findVersion(def, version)) return failure(uid, `${label}: not an SMI kind at a served version`);
    let r: ReturnType<typeof convertObject>;
    try {
      r = convertObject(o as AnyObject, desiredAPIVersion);
    } catch (e) {
      return failure(uid, `${label} cannot be converted: it is not a valid ${String(o.apiVersion).slice(0, 80)} ${def.kind} (${String(e).slice(0, 200)})`);
    }
    if (!r.ok) return failure(uid, `${label}: ${r.message}`);
    // The API server requires metadata to come back as it went (labels and annotations may change).
    converted.push({ ...r.value.object, metadata: { ...(o.metadata as object), ...(isRecord(r.value.object.metadata) ? { annotations: r.value.object.metadata.annotations, labels: (o.metadata as { labels?: unknown }).labels } : {}) } });
  }
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid, convertedObjects: converted, result: { status: 'Success' } } };
}

function failure(uid: string, message: string): ConversionReview {
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid, convertedObjects: [], result: { status: 'Failure', message } } };
}
