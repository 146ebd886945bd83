/** Plain conversions between TrafficSplit versions and the hub (v1alpha4). */
import type { TrafficSplit as V1 } from './v1alpha1.js';
import type { TrafficSplit as V2 } from './v1alpha2.js';
import type { TrafficSplit as V3 } from './v1alpha3.js';
import type { TrafficSplit as Hub } from './v1alpha4.js';
import { withMeta, compact } from '../object.js';
import { parseQuantity, toRelativeIntegers, isNegative } from '../quantity.js';
import type { Loss } from '../loss.js';

const HUB = 'split.smi-spec.io/v1alpha4';

function dropMatches(h: Hub, version: string, notes: Loss[]): void {
  if (h.spec.matches !== undefined) {
    notes.push({ text: `spec.matches: ${version} cannot limit a split to some requests; without it every request is split`, effect: 'routes' });
  }
}

export const v1alpha1 = {
  /** Quantities become whole numbers in the same proportion (1 → 1000, 100m → 100). */
  toHub(o: V1, notes: Loss[]): Hub {
    const parsed = o.spec.backends.map((b) => parseQuantity(b.weight));
    const usable = parsed.filter((p): p is NonNullable<typeof p> => p !== undefined && !isNegative(p));
    const scaled = toRelativeIntegers(usable);
    const ints = parsed.map((p) => (p === undefined || isNegative(p) ? undefined : scaled[usable.indexOf(p)]));
    const backends = o.spec.backends.map((b, i) => {
      const n = ints[i];
      if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER) || n < 0n) {
        notes.push({ text: `spec.backends[${i}].weight ${JSON.stringify(b.weight)} is not a usable quantity; it becomes 0`, effect: 'value' });
        return { service: b.service, weight: 0 };
      }
      return { service: b.service, weight: Number(n) };
    });
    return withMeta(HUB, o, { spec: { service: o.spec.service, backends } }) as Hub;
  },
  fromHub(h: Hub, notes: Loss[]): V1 {
    dropMatches(h, 'split.smi-spec.io/v1alpha1', notes);
    return withMeta('split.smi-spec.io/v1alpha1', h, {
      // Milli quantities read back as the same integers (90 → "90m" → 90): no annotation needed.
      spec: { service: h.spec.service, backends: h.spec.backends.map((b) => ({ service: b.service, weight: `${b.weight}m` })) },
    }) as V1;
  },
};

export const v1alpha2 = {
  toHub: (o: V2): Hub => withMeta(HUB, o, { spec: { service: o.spec.service, backends: o.spec.backends } }) as Hub,
  fromHub(h: Hub, notes: Loss[]): V2 {
    dropMatches(h, 'split.smi-spec.io/v1alpha2', notes);
    return withMeta('split.smi-spec.io/v1alpha2', h, { spec: { service: h.spec.service, backends: h.spec.backends } }) as V2;
  },
};

export const v1alpha3 = {
  toHub: (o: V3): Hub => withMeta(HUB, o, { spec: compact({ ...o.spec }) }) as Hub,
  fromHub: (h: Hub): V3 => withMeta('split.smi-spec.io/v1alpha3', h, { spec: compact({ ...h.spec }) }) as V3,
};
