import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { allCrds } from '../../src/api/crds.js';
import { KINDS } from '../../src/api/registry.js';
import { referenceDocuments } from '../support/reference.js';
import { CrdSchemas } from '../support/crd-schemas.js';

type Schema = Record<string, unknown>;
type Crd = { metadata: { name: string }; spec: { group: string; names: Record<string, unknown>; versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Schema } }[]; conversion?: Schema } };

const ours = allCrds() as unknown as Crd[];

/** The rules the API server applies to structural schemas (apiextensions v1). */
function structuralProblems(schema: Schema, path: string, out: string[]): string[] {
  const typed = 'type' in schema || schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!typed) out.push(`${path}: no type`);
  for (const banned of ['anyOf', 'oneOf', 'allOf', 'not', 'const', '$id', '$ref', 'patternProperties']) if (banned in schema) out.push(`${path}: ${banned}`);
  if (schema.additionalProperties === false) out.push(`${path}: additionalProperties false`);
  if (schema.properties && schema.additionalProperties) out.push(`${path}: properties and additionalProperties together`);
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) structuralProblems(child, `${path}.${name}`, out);
  if (schema.items) structuralProblems(schema.items as Schema, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') structuralProblems(schema.additionalProperties as Schema, `${path}{}`, out);
  return out;
}

/** Every field path a schema declares, arrays as []. */
function fieldPaths(schema: Schema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    out.push(`${prefix}${name}`);
    out.push(...fieldPaths(child, `${prefix}${name}.`));
    if (child.items) out.push(...fieldPaths(child.items as Schema, `${prefix}${name}[].`));
  }
  return out;
}

describe('generated CRDs', () => {
  test('one CRD per SMI kind served by CRDs, the hub stored; without the conversion webhook only the hub served', () => {
    const crdKinds = KINDS.filter((k) => k.crd);
    assert.equal(ours.length, crdKinds.length);
    for (const crd of ours) {
      const def = crdKinds.find((k) => `${k.plural}.${k.group}` === crd.metadata.name);
      assert.ok(def, crd.metadata.name);
      assert.deepEqual(crd.spec.versions.map((v) => v.name), def.versions.map((v) => v.version));
      assert.deepEqual(crd.spec.versions.filter((v) => v.served).map((v) => v.name), [def.versions.at(-1)!.version]);
      assert.deepEqual(crd.spec.versions.filter((v) => v.storage).map((v) => v.name), [def.versions.at(-1)!.version]);
    }
  });

  test('every schema is structural', () => {
    for (const crd of ours) {
      for (const v of crd.spec.versions) {
        assert.deepEqual(structuralProblems(v.schema.openAPIV3Schema, `${crd.metadata.name}/${v.name}`, []), []);
      }
    }
  });

  test('names, group and versions agree with the CRDs of the SMI SDK (reference data)', () => {
    const reference = referenceDocuments('smi/crds') as unknown as Crd[];
    assert.ok(reference.length >= 5);
    for (const ref of reference) {
      const mine = ours.find((c) => c.metadata.name === ref.metadata.name);
      assert.ok(mine, `we have no CRD ${ref.metadata.name}`);
      assert.equal(mine.spec.group, ref.spec.group);
      for (const key of ['kind', 'plural', 'singular', 'shortNames'] as const) assert.deepEqual(mine.spec.names[key], ref.spec.names[key], `${ref.metadata.name} names.${key}`);
      for (const v of ref.spec.versions) assert.ok(mine.spec.versions.some((m) => m.name === v.name), `${ref.metadata.name} lacks ${v.name}`);
    }
  });

  test('every field the SDK CRDs declare exists in our schema of the same version', () => {
    const reference = referenceDocuments('smi/crds') as unknown as Crd[];
    for (const ref of reference) {
      const mine = ours.find((c) => c.metadata.name === ref.metadata.name)!;
      for (const v of ref.spec.versions) {
        if (!v.schema) continue;
        const theirs = fieldPaths(v.schema.openAPIV3Schema);
        const have = new Set(fieldPaths(mine.spec.versions.find((m) => m.name === v.name)!.schema.openAPIV3Schema));
        // The SDK CRDs declare header filters as a list of maps; ours leaves the field untyped (map or list).
        const missing = theirs.filter((p) => !have.has(p) && !p.includes('headers[]'));
        // HTTPRouteGroup v1alpha1 in the SDK CRD carries headers, which the v1alpha1 spec text does not have.
        const expectedMissing = ref.metadata.name.startsWith('httproutegroups') && v.name === 'v1alpha1' ? ['matches[].headers'] : [];
        assert.deepEqual(missing, expectedMissing, `${ref.metadata.name} ${v.name}`);
      }
    }
  });

  test('a cluster that ran OSM keeps its objects: list-form and map-form headers both fit our CRD, list form fits the SDK\'s', () => {
    const mine = new CrdSchemas().add(ours);
    const sdk = new CrdSchemas('smi/crds');
    const list = [{ 'user-agent': '.*-http-client/*.*' }, { 'client-app': 'bookbuyer' }];
    const map = { 'user-agent': '.*-http-client/*.*', 'client-app': 'bookbuyer' };
    for (const version of ['v1alpha2', 'v1alpha3', 'v1alpha4']) {
      const matches = (headers: unknown) => [{ name: 'books-bought', pathRegex: '/books-bought', methods: ['GET'], headers }];
      const object = (headers: unknown) => ({
        apiVersion: `specs.smi-spec.io/${version}`, kind: 'HTTPRouteGroup', metadata: { name: 'r', namespace: 'bookstore' },
        ...(version === 'v1alpha2' ? { matches: matches(headers) } : { spec: { matches: matches(headers) } }),
      });
      assert.deepEqual(mine.problems(object(list)), [], `${version} list form`);
      assert.deepEqual(mine.problems(object(map)), [], `${version} map form`);
      if (version !== 'v1alpha2') assert.deepEqual(sdk.problems(object(list)), [], `${version}: the SDK's CRD holds the list form`);
      // The rest of the match stays typed: a misspelt field is still refused by the CRD itself.
      const misspelt = { apiVersion: `specs.smi-spec.io/${version}`, kind: 'HTTPRouteGroup', metadata: { name: 'r' }, spec: { matches: [{ name: 'm', pathregex: '/x', headers: list }] } };
      if (version !== 'v1alpha2') assert.notDeepEqual(mine.problems(misspelt), [], `${version} unknown field`);
    }
  });

  test('the conversion webhook stanza is added only to kinds with several versions', () => {
    const crds = allCrds({ conversionWebhook: { namespace: 'smi-system', name: 'smi-webhook' } }) as unknown as Crd[];
    for (const crd of crds) {
      const expected = crd.spec.versions.length > 1;
      assert.equal(crd.spec.conversion !== undefined, expected, crd.metadata.name);
      assert.ok(crd.spec.versions.every((v) => v.served), `${crd.metadata.name}: with the webhook every version is served`);
    }
    const split = crds.find((c) => c.metadata.name === 'trafficsplits.split.smi-spec.io')!;
    assert.deepEqual(split.spec.conversion, {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { namespace: 'smi-system', name: 'smi-webhook', path: '/convert', port: 443 } } },
    });
  });
});
