/** Plain conversions between specs.smi-spec.io versions and the hub (v1alpha4). */
import type * as V1 from './v1alpha1.js';
import type * as V2 from './v1alpha2.js';
import type * as V3 from './v1alpha3.js';
import type * as Hub from './v1alpha4.js';
import { withMeta, compact } from '../object.js';
import type { Loss } from '../loss.js';

const HUB = 'specs.smi-spec.io/v1alpha4';
type HubMatch = Hub.HTTPRouteGroup['spec']['matches'][number];

export const httpRouteGroup = {
  v1alpha1: {
    toHub: (o: V1.HTTPRouteGroup): Hub.HTTPRouteGroup => withMeta(HUB, o, { spec: { matches: o.matches } }) as Hub.HTTPRouteGroup,
    fromHub(h: Hub.HTTPRouteGroup, notes: Loss[]): V1.HTTPRouteGroup {
      const matches = h.spec.matches.map((m: HubMatch) => {
        const { headers, ...rest } = m;
        if (headers !== undefined) notes.push({ text: `matches "${m.name}" headers: header filters exist only from specs.smi-spec.io/v1alpha2`, effect: 'restricts' });
        return compact(rest);
      });
      return withMeta('specs.smi-spec.io/v1alpha1', h, { matches }) as V1.HTTPRouteGroup;
    },
  },
  v1alpha2: {
    toHub: (o: V2.HTTPRouteGroup): Hub.HTTPRouteGroup => withMeta(HUB, o, { spec: { matches: o.matches } }) as Hub.HTTPRouteGroup,
    fromHub: (h: Hub.HTTPRouteGroup): V2.HTTPRouteGroup =>
      withMeta('specs.smi-spec.io/v1alpha2', h, { matches: h.spec.matches }) as V2.HTTPRouteGroup,
  },
  v1alpha3: {
    toHub: (o: V3.HTTPRouteGroup): Hub.HTTPRouteGroup => withMeta(HUB, o, { spec: o.spec }) as Hub.HTTPRouteGroup,
    fromHub: (h: Hub.HTTPRouteGroup): V3.HTTPRouteGroup => withMeta('specs.smi-spec.io/v1alpha3', h, { spec: h.spec }) as V3.HTTPRouteGroup,
  },
};

function portNotes(h: Hub.TCPRoute, version: string, notes: Loss[]): void {
  const ports = h.spec?.matches?.ports ?? [];
  if (ports.length > 0) notes.push({ text: `spec.matches.ports (${ports.join(', ')}): ${version} TCPRoutes match every port`, effect: 'restricts' });
}

export const tcpRoute = {
  v1alpha1: {
    toHub: (o: V1.TCPRoute): Hub.TCPRoute => withMeta(HUB, o, {}) as Hub.TCPRoute,
    fromHub(h: Hub.TCPRoute, notes: Loss[]): V1.TCPRoute {
      portNotes(h, 'specs.smi-spec.io/v1alpha1', notes);
      return withMeta('specs.smi-spec.io/v1alpha1', h, {}) as V1.TCPRoute;
    },
  },
  v1alpha2: {
    toHub: (o: V2.TCPRoute): Hub.TCPRoute => withMeta(HUB, o, {}) as Hub.TCPRoute,
    fromHub(h: Hub.TCPRoute, notes: Loss[]): V2.TCPRoute {
      portNotes(h, 'specs.smi-spec.io/v1alpha2', notes);
      return withMeta('specs.smi-spec.io/v1alpha2', h, {}) as V2.TCPRoute;
    },
  },
  v1alpha3: {
    toHub: (o: V3.TCPRoute): Hub.TCPRoute => withMeta(HUB, o, {}) as Hub.TCPRoute,
    fromHub(h: Hub.TCPRoute, notes: Loss[]): V3.TCPRoute {
      portNotes(h, 'specs.smi-spec.io/v1alpha3', notes);
      return withMeta('specs.smi-spec.io/v1alpha3', h, { spec: {} }) as V3.TCPRoute;
    },
  },
};
