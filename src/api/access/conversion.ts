/** Plain conversions between TrafficTarget versions and the hub (v1alpha3). Losses are noted, not hidden. */
import type { TrafficTarget as V1 } from './v1alpha1.js';
import type { TrafficTarget as V2 } from './v1alpha2.js';
import type { TrafficTarget as Hub } from './v1alpha3.js';
import { withMeta, compact } from '../object.js';
import type { Loss } from '../loss.js';

const HUB = 'access.smi-spec.io/v1alpha3';

type HubRule = Hub['spec']['rules'][number];
type LegacyRule = V1['specs'][number];

function legacyRules(rules: readonly HubRule[], version: string, notes: Loss[]): LegacyRule[] {
  const kept: LegacyRule[] = [];
  for (const rule of rules) {
    if (rule.kind === 'UDPRoute') notes.push({ text: `rule UDPRoute/${rule.name} (UDPRoute exists only from ${HUB})`, effect: 'grants' });
    else kept.push(compact({ kind: rule.kind, name: rule.name, matches: rule.matches }));
  }
  if (kept.length === 0 && rules.length > 0) notes.push({ text: `${version} cannot hold a TrafficTarget without HTTP or TCP rules`, effect: 'value' });
  return kept;
}

function dropPort(port: number | undefined, notes: Loss[]): void {
  if (port !== undefined) notes.push({ text: `spec.destination.port (${port}): ${HUB} limits ports through TCPRoute/UDPRoute instead`, effect: 'restricts' });
}

export const v1alpha1 = {
  toHub(o: V1, notes: Loss[]): Hub {
    const { port, ...destination } = o.destination;
    dropPort(port, notes);
    return withMeta(HUB, o, {
      spec: { destination: compact(destination), rules: o.specs.map((r) => compact({ ...r })), sources: o.sources },
    }) as Hub;
  },
  fromHub(h: Hub, notes: Loss[]): V1 {
    return withMeta('access.smi-spec.io/v1alpha1', h, {
      destination: compact({ ...h.spec.destination }),
      specs: legacyRules(h.spec.rules, 'access.smi-spec.io/v1alpha1', notes),
      sources: h.spec.sources,
    }) as V1;
  },
};

export const v1alpha2 = {
  toHub(o: V2, notes: Loss[]): Hub {
    const { port, ...destination } = o.spec.destination;
    dropPort(port, notes);
    return withMeta(HUB, o, {
      spec: { destination: compact(destination), rules: o.spec.rules.map((r) => compact({ ...r })), sources: o.spec.sources },
    }) as Hub;
  },
  fromHub(h: Hub, notes: Loss[]): V2 {
    return withMeta('access.smi-spec.io/v1alpha2', h, {
      spec: {
        destination: compact({ ...h.spec.destination }),
        rules: legacyRules(h.spec.rules, 'access.smi-spec.io/v1alpha2', notes),
        sources: h.spec.sources,
      },
    }) as V2;
  },
};
