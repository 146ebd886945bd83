/**
 * Validates generated mesh resources against the real CRD schemas in test/reference/crds (sources in test/reference/SOURCES.md).
 * The API server would prune unknown fields silently, hiding a translation bug, so objects here are
 * checked strictly: a field the schema does not declare is an error.
 */
import AjvModule, { type ValidateFunction } from 'ajv';

// ajv is CommonJS; under NodeNext its default export is the module namespace.
const Ajv = AjvModule.default;
import { referenceDocuments } from './reference.js';

type Schema = Record<string, unknown>;
type Crd = { spec: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: Schema } }[] } };

/** CRD patterns are Go (RE2) syntax: its one-letter Unicode classes (\\PC) are \\P{C} in JavaScript. */
const jsPattern = (pattern: string): string => pattern.replace(/\\([pP])([A-Z])/g, '\\$1{$2}');

const LOGICAL = new Set(['anyOf', 'oneOf', 'allOf', 'not']);

function tighten(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tighten);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  // anyOf/oneOf/allOf/not only add checks in a structural schema (their properties are empty): left as they are.
  for (const [k, v] of Object.entries(schema)) out[k] = LOGICAL.has(k) ? v : k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([pk, pv]) => [pk, tighten(pv)])) : k === 'pattern' && typeof v === 'string' ? jsPattern(v) : tighten(v);
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

export class CrdSchemas {
  private readonly schemas = new Map<string, Schema>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    // The OpenAPI formats Kubernetes CRDs use: integer ranges are checked, the rest accepted as text.
    formats: {
      int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
      int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
      double: { type: 'number', validate: () => true },
      float: { type: 'number', validate: () => true },
      'date-time': true, duration: true, byte: true, uri: true, hostname: true, email: true, uuid: true, 'int-or-string': true, cidr: true, 'idn-hostname': true, ipv4: true, ipv6: true,
    },
  });

  constructor(...folders: string[]) {
    this.add(folders.flatMap((f) => referenceDocuments(f)));
  }

  /** Also checks against these CRDs (for example the ones smi itself writes). */
  add(crds: readonly unknown[]): this {
    for (const crd of crds as Crd[]) {
      if (!crd?.spec?.versions) continue;
      for (const v of crd.spec.versions) if (v.schema) this.schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
    return this;
  }

  private validator(key: string): ValidateFunction | undefined {
    let validate = this.validators.get(key);
    const schema = this.schemas.get(key);
    if (!validate && schema) {
      const root = structuredClone(schema);
      root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(root.properties as Schema) };
      validate = this.ajv.compile(tighten(root) as Schema);
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** Problems of one object; throws when the schema for its kind/version is not in the reference data. */
  problems(object: { apiVersion: string; kind: string }): string[] {
    const validate = this.validator(`${object.apiVersion}/${object.kind}`);
    if (!validate) throw new Error(`no reference CRD schema for ${object.apiVersion} ${object.kind}`);
    if (validate(object)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  }
}
