/**
 * Validating admission (admission.k8s.io/v1 AdmissionReview) for every SMI kind: the same validation
 * as `smi validate`, plus checks against the other objects in the cluster (from the controller's
 * cache when there is one): a second TrafficSplit for the same root service is refused; references
 * to route groups that do not exist (yet) are warnings. Denials carry the field path and a message a
 * person can act on. Pure: the review in, the review out.
 */
import { rootServiceShortName } from '../api/names.js';
import type { Diagnostic } from '../api/diagnostic.js';
import { syntheticOrigin } from '../api/document.js';
import { validateDocuments } from '../api/validate.js';
import { isRecord } from '../api/object.js';

export interface AdmissionRequest {
  uid: string;
  kind?: { group: string; version: string; kind: string };
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  name?: string;
  namespace?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string; details?: { causes: { field: string; message: string; reason: string }[] } };
    warnings?: string[];
  };
}

/** Other SMI objects in the cluster, as far as the webhook knows them. */
export interface ClusterView {
  /** SMI objects (any kind) in a namespace, by kind. */
  objects(namespace: string, kind: string): readonly { metadata?: { name?: string }; spec?: unknown }[];
}

const MAX_WARNING = 256;

function render(d: Diagnostic): string {
  return `${d.path ? `${d.path}: ` : ''}${d.message} (${d.code})`;
}

export class BadReview extends Error {}

/** Reads a review body, refusing what is not an AdmissionReview v1 with a request. */
export function parseAdmissionReview(body: unknown): AdmissionReview & { request: AdmissionRequest } {
  if (!isRecord(body) || body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') throw new BadReview('expected an admission.k8s.io/v1 AdmissionReview');
  const request = body.request;
  if (!isRecord(request) || typeof request.uid !== 'string' || typeof request.operation !== 'string') throw new BadReview('the AdmissionReview has no request with a uid and an operation');
  for (const field of ['object', 'oldObject'] as const) {
    if (request[field] !== undefined && request[field] !== null && !isRecord(request[field])) throw new BadReview(`request.${field} is not an object`);
  }
  if (request.object === null && request.operation !== 'DELETE') throw new BadReview('request.object is null');
  return body as unknown as AdmissionReview & { request: AdmissionRequest };
}

export function admit(review: AdmissionReview & { request: AdmissionRequest }, cluster?: ClusterView): AdmissionReview {
  const { request } = review;
  const done = (response: Omit<NonNullable<AdmissionReview['response']>, 'uid'>): AdmissionReview => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: request.uid, ...response } });
  if (request.operation === 'DELETE' || request.operation === 'CONNECT' || request.object === undefined || request.object === null) return done({ allowed: true });

  const object = structuredClone(request.object) as Record<string, unknown>;
  // Kubernetes has not defaulted the namespace into the body on create: the request says it.
  if (isRecord(object.metadata) && object.metadata.namespace === undefined && request.namespace) object.metadata.namespace = request.namespace;
  const validated = validateDocuments([{ value: object, origin: syntheticOrigin('admission') }], { defaultNamespace: request.namespace ?? 'default' });
  const problems = validated.diagnostics.filter((d) => d.severity !== 'info');
  const errors = problems.filter((d) => d.severity === 'error' && !d.code.endsWith('_NOT_FOUND'));
  const warnings = problems.filter((d) => !errors.includes(d)).map(render);

  const meta = isRecord(object.metadata) ? object.metadata : {};
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : request.namespace ?? 'default';
  if (cluster && object.kind === 'TrafficSplit' && isRecord(object.spec) && typeof object.spec.service === 'string') {
    const root = rootServiceShortName(object.spec.service, namespace);
    const other = cluster.objects(namespace, 'TrafficSplit').find((s) => s.metadata?.name !== meta.name && isRecord(s.spec) && typeof s.spec.service === 'string' && rootServiceShortName(s.spec.service, namespace) === root);
    if (other) {
      errors.push({ severity: 'error', code: 'SMI_SPLIT_ROOT_TAKEN', path: 'spec.service', message: `TrafficSplit ${namespace}/${other.metadata?.name} already splits Service ${root}; one root service has one TrafficSplit. Edit that one, or delete it first` });
    }
  }
  if (cluster && (object.kind === 'TrafficTarget' || object.kind === 'TrafficSplit') && isRecord(object.spec)) {
    const refs = object.kind === 'TrafficTarget' ? object.spec.rules : object.spec.matches;
    for (const [i, r] of (Array.isArray(refs) ? refs : []).entries()) {
      if (!isRecord(r) || typeof r.kind !== 'string' || typeof r.name !== 'string') continue;
      if (!cluster.objects(namespace, r.kind).some((o) => o.metadata?.name === r.name)) {
        warnings.push(`spec.${object.kind === 'TrafficTarget' ? 'rules' : 'matches'}[${i}]: ${r.kind} ${namespace}/${r.name} does not exist (yet); until it does, this rule grants nothing`);
      }
    }
  }
  const cut = warnings.map((w) => (w.length > MAX_WARNING ? `${w.slice(0, MAX_WARNING - 1)}…` : w));
  if (errors.length === 0) return done({ allowed: true, ...(cut.length > 0 ? { warnings: cut } : {}) });
  const kind = String(object.kind ?? 'object');
  return done({
    allowed: false,
    status: {
      code: 422, reason: 'Invalid',
      message: `${kind} ${namespace}/${String(meta.name ?? '')} is invalid: ${errors.map(render).join('; ')}`,
      details: { causes: errors.map((e) => ({ field: e.path, message: e.message, reason: e.code })) },
    },
    ...(cut.length > 0 ? { warnings: cut } : {}),
  });
}
