/**
 * TypeBox schema → OpenAPI v3 structural schema, the dialect CustomResourceDefinitions require:
 * every node typed, no `additionalProperties: false` (the API server prunes instead), maps as
 * additionalProperties, enums instead of literal unions, int-or-string for quantities.
 */
import type { TSchema } from '@sinclair/typebox';

export type JsonSchema = { [key: string]: unknown };

const KEPT = ['description', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern', 'format', 'minLength', 'maxLength'] as const;

export function toStructural(schema: TSchema, root = true): JsonSchema {
  const out: JsonSchema = {};
  for (const k of KEPT) if (schema[k] !== undefined) out[k] = schema[k];

  if (schema['x-kubernetes-int-or-string']) return { ...out, 'x-kubernetes-int-or-string': true };
  // A field of more than one shape (map or list): untyped in the CRD, checked by the webhook.
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && Array.isArray(schema.anyOf)) return { ...out, 'x-kubernetes-preserve-unknown-fields': true };
  if (schema.const !== undefined) return { ...out, type: typeof schema.const, enum: [schema.const] };
  if (Array.isArray(schema.anyOf)) {
    const options = schema.anyOf as TSchema[];
    if (options.every((o) => typeof o.const === 'string')) return { ...out, type: 'string', enum: options.map((o) => o.const) };
    throw new Error(`no structural form for a union of ${options.map((o) => o.type ?? o.const).join(' | ')}`);
  }
  switch (schema.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { ...out, type: schema.type };
    case 'array':
      return { ...out, type: 'array', items: toStructural(schema.items as TSchema, false) };
    case 'object': {
      out.type = 'object';
      const pattern = schema.patternProperties as Record<string, TSchema> | undefined;
      if (pattern) {
        const values = Object.values(pattern);
        if (values.length !== 1) throw new Error('a map schema must have exactly one value schema');
        out.additionalProperties = toStructural(values[0] as TSchema, false);
        return out;
      }
      const properties = (schema.properties ?? {}) as Record<string, TSchema>;
      if (schema.additionalProperties === true && !root) {
        // Open objects (ObjectMeta) are the API server's business.
        out['x-kubernetes-preserve-unknown-fields'] = true;
        return out;
      }
      const props: Record<string, JsonSchema> = {};
      for (const [name, child] of Object.entries(properties)) {
        if (root && name === 'metadata') props[name] = { type: 'object' };
        else if (root && (name === 'apiVersion' || name === 'kind')) props[name] = { type: 'string', description: child.description };
        else props[name] = toStructural(child, false);
      }
      if (Object.keys(props).length > 0) out.properties = props;
      const required = (schema.required as string[] | undefined)?.filter((r) => !(root && (r === 'apiVersion' || r === 'kind')));
      if (required && required.length > 0) out.required = required;
      return out;
    }
    default:
      throw new Error(`no structural form for schema type ${String(schema.type)}`);
  }
}
