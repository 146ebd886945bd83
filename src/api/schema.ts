/**
 * Shared schema fragments. Every SMI kind/version is declared once with TypeBox: the declaration is
 * the TypeScript type (Static<>), the runtime validator (compiled) and, through crd-schema.ts, the
 * OpenAPI v3 structural schema inside the CRD.
 */
import { Type, type TSchema, type TProperties, type ObjectOptions } from '@sinclair/typebox';

/** Objects reject unknown fields: a typo such as `pathregex` must not silently widen a route. */
export function Strict<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const ObjectMeta = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'Name of the object, unique in its namespace.' })),
    generateName: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String({ description: 'Namespace of the object; "default" when omitted.' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  // Kubernetes adds uid, resourceVersion, managedFields and more; they are not ours to judge.
  { additionalProperties: true },
);

/** What the controller reports on every SMI object (Kubernetes-style conditions). */
export const Status = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer()),
    conditions: Type.Optional(
      Type.Array(
        Type.Object({
          type: Type.String(),
          status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
          reason: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
          observedGeneration: Type.Optional(Type.Integer()),
          lastTransitionTime: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { description: 'Written by the smi controller: whether the object was accepted and programmed into the mesh.' },
);

export function TypeMeta(group: string, version: string, kind: string) {
  return {
    apiVersion: Type.Literal(`${group}/${version}`, { description: 'Group and version of this schema.' }),
    kind: Type.Literal(kind, { description: 'Kind of this object.' }),
    metadata: Type.Optional(ObjectMeta),
    status: Type.Optional(Status),
  };
}

export const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const LabelSelector = Strict({
  matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
  matchExpressions: Type.Optional(
    Type.Array(
      Strict({
        key: Type.String(),
        operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')]),
        values: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  ),
});

/** The HTTP methods SMI names, and `*` for all of them. */
export const HTTP_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
export const HttpMethod = Type.Union(
  [Type.Literal('*'), ...HTTP_METHODS.map((m) => Type.Literal(m))],
  { description: 'An HTTP method, or * for every method.' },
);

/** Fields every SMI object carries, typed loosely for code that works on any kind. */
export interface ObjectMetaValue {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface AnyObject {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMetaValue;
  [key: string]: unknown;
}

export type Schema = TSchema;
