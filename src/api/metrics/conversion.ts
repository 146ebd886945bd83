/** Plain conversions between TrafficMetrics(List) v1alpha1 and the hub (v1alpha2): backend `name` ⇄ `leaf`. */
import type * as V1 from './v1alpha1.js';
import type * as Hub from './v1alpha2.js';
import { withMeta, compact } from '../object.js';

type Item1 = Omit<V1.TrafficMetrics, 'apiVersion' | 'kind'> & { apiVersion?: string; kind?: string };
type Item2 = Omit<Hub.TrafficMetrics, 'apiVersion' | 'kind'> & { apiVersion?: string; kind?: string };

function itemUp(o: Item1, apiVersion: string | undefined): Item2 {
  const { backend, ...rest } = o;
  const out: Item2 = compact({ ...rest, apiVersion: o.apiVersion === undefined ? undefined : apiVersion });
  if (backend !== undefined) out.backend = { apex: backend.apex, leaf: backend.name, weight: backend.weight };
  return out;
}

function itemDown(o: Item2, apiVersion: string | undefined): Item1 {
  const { backend, ...rest } = o;
  const out: Item1 = compact({ ...rest, apiVersion: o.apiVersion === undefined ? undefined : apiVersion });
  if (backend !== undefined) out.backend = { apex: backend.apex, name: backend.leaf, weight: backend.weight };
  return out;
}

const V1_API = 'metrics.smi-spec.io/v1alpha1';
const HUB = 'metrics.smi-spec.io/v1alpha2';

export const trafficMetrics = {
  v1alpha1: {
    toHub: (o: V1.TrafficMetrics): Hub.TrafficMetrics => itemUp(o, HUB) as Hub.TrafficMetrics,
    fromHub: (h: Hub.TrafficMetrics): V1.TrafficMetrics => itemDown(h, V1_API) as V1.TrafficMetrics,
  },
};

export const trafficMetricsList = {
  v1alpha1: {
    toHub: (o: V1.TrafficMetricsList): Hub.TrafficMetricsList =>
      withMeta(HUB, o, compact({ resource: o.resource, selector: o.selector, items: o.items.map((i) => itemUp(i, HUB)) })) as Hub.TrafficMetricsList,
    fromHub: (h: Hub.TrafficMetricsList): V1.TrafficMetricsList =>
      withMeta(V1_API, h, compact({ resource: h.resource, selector: h.selector, items: h.items.map((i) => itemDown(i, V1_API)) })) as V1.TrafficMetricsList,
  },
};
