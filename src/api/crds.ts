/** CustomResourceDefinitions for every SMI kind served by CRDs, generated from the schemas. */
import { KINDS, hubVersion, type KindDef } from './registry.js';
import { toStructural, type JsonSchema } from './crd-schema.js';

export interface CrdOptions {
  /** namespace/name of the Service of the conversion webhook; without it the API server cannot convert. */
  readonly conversionWebhook?: { namespace: string; name: string; path?: string; caBundle?: string };
}

export const CRD_LABELS = { 'app.kubernetes.io/part-of': 'smi', 'app.kubernetes.io/managed-by': 'smi' } as const;

export function crdFor(def: KindDef, options: CrdOptions = {}): JsonSchema {
  const hub = hubVersion(def);
  // Without the webhook the API server "converts" by relabelling apiVersion and prunes what the stored
  // version's schema lacks: a v1alpha2 TrafficTarget's destination port vanished, granting every port.
  // So without it only the stored version is served; older versions are refused until converted (smi convert).
  const converts = Boolean(options.conversionWebhook) || def.versions.length === 1;
  const versions = def.versions.map((v) => {
    const version: JsonSchema = {
      name: v.version,
      served: converts || v === hub,
      storage: v === hub,
      schema: { openAPIV3Schema: toStructural(v.schema) },
      subresources: { status: {} },
    };
    const columns = def.printerColumns?.[v.version];
    version.additionalPrinterColumns = [
      ...(columns ?? []),
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ];
    if (v !== hub && !v.experimental && converts) {
      version.deprecated = true;
      version.deprecationWarning = `${def.group}/${v.version} ${def.kind} is an older SMI version; smi serves it, but write ${def.group}/${hub.version}`;
    }
    return version;
  });
  const spec: JsonSchema = {
    group: def.group,
    scope: 'Namespaced',
    names: {
      kind: def.kind,
      listKind: `${def.kind}List`,
      plural: def.plural,
      singular: def.singular,
      ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
      categories: ['smi'],
    },
    versions,
  };
  if (options.conversionWebhook && def.versions.length > 1) {
    const { namespace, name, path = '/convert', caBundle } = options.conversionWebhook;
    spec.conversion = {
      strategy: 'Webhook',
      webhook: {
        conversionReviewVersions: ['v1'],
        clientConfig: { service: { namespace, name, path, port: 443 }, ...(caBundle ? { caBundle } : {}) },
      },
    };
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}`, labels: { ...CRD_LABELS } },
    spec,
  };
}

export function allCrds(options: CrdOptions = {}): JsonSchema[] {
  return KINDS.filter((k) => k.crd).map((k) => crdFor(k, options));
}

/** Kinds whose versions differ in shape: serving more than the newest needs the conversion webhook. */
export function kindsNeedingConversion(): string[] {
  return KINDS.filter((k) => k.crd && k.versions.length > 1).map((k) => k.kind);
}
