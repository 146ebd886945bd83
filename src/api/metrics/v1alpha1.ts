/** metrics.smi-spec.io/v1alpha1: TrafficMetrics and TrafficMetricsList (served by an aggregated API, not CRDs). */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, LabelSelector } from '../schema.js';

export const ObjectReference = Type.Object(
  {
    kind: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    apiVersion: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const Metric = Strict({
  name: Type.String({ description: 'p50_response_latency, p90_response_latency, p99_response_latency, success_count or failure_count.' }),
  unit: Type.Optional(Type.String()),
  value: Type.Union([Type.String(), Type.Number()], { 'x-kubernetes-int-or-string': true }),
});

export const TrafficMetrics = Strict({
  ...TypeMeta('metrics.smi-spec.io', 'v1alpha1', 'TrafficMetrics'),
  resource: ObjectReference,
  edge: Type.Optional(
    Strict({
      direction: Type.Union([Type.Literal('to'), Type.Literal('from')]),
      side: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('server')])),
      resource: Type.Optional(ObjectReference),
    }),
  ),
  backend: Type.Optional(Strict({ apex: Type.String(), name: Type.String(), weight: Type.Integer() })),
  timestamp: Type.String(),
  window: Type.String(),
  metrics: Type.Array(Metric),
});
export type TrafficMetrics = Static<typeof TrafficMetrics>;

const { apiVersion: _a, kind: _k, ...metricsItemFields } = TrafficMetrics.properties;
export const TrafficMetricsList = Strict({
  ...TypeMeta('metrics.smi-spec.io', 'v1alpha1', 'TrafficMetricsList'),
  resource: ObjectReference,
  selector: Type.Optional(LabelSelector),
  items: Type.Array(
    Strict({
      apiVersion: Type.Optional(Type.Literal('metrics.smi-spec.io/v1alpha1')),
      kind: Type.Optional(Type.Literal('TrafficMetrics')),
      ...metricsItemFields,
    }),
  ),
});
export type TrafficMetricsList = Static<typeof TrafficMetricsList>;
