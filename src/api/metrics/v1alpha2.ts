/** metrics.smi-spec.io/v1alpha2 (the hub): edges say which side measured; split backends name their leaf. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, LabelSelector } from '../schema.js';
import { ObjectReference, Metric } from './v1alpha1.js';

export const TrafficMetrics = Strict({
  ...TypeMeta('metrics.smi-spec.io', 'v1alpha2', 'TrafficMetrics'),
  resource: ObjectReference,
  edge: Type.Optional(
    Strict({
      direction: Type.Union([Type.Literal('to'), Type.Literal('from')]),
      side: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('server')])),
      resource: Type.Optional(ObjectReference),
    }),
  ),
  backend: Type.Optional(Strict({ apex: Type.String(), leaf: Type.String(), weight: Type.Integer() })),
  timestamp: Type.String(),
  window: Type.String(),
  metrics: Type.Array(Metric),
});
export type TrafficMetrics = Static<typeof TrafficMetrics>;

const { apiVersion: _a, kind: _k, ...metricsItemFields } = TrafficMetrics.properties;
export const TrafficMetricsList = Strict({
  ...TypeMeta('metrics.smi-spec.io', 'v1alpha2', 'TrafficMetricsList'),
  resource: ObjectReference,
  selector: Type.Optional(LabelSelector),
  items: Type.Array(
    Strict({
      apiVersion: Type.Optional(Type.Literal('metrics.smi-spec.io/v1alpha2')),
      kind: Type.Optional(Type.Literal('TrafficMetrics')),
      ...metricsItemFields,
    }),
  ),
});
export type TrafficMetricsList = Static<typeof TrafficMetricsList>;
