/**
 * TrafficSplits → Consul's discovery chain: a ServiceSplitter on the root service, or, for a
 * v1alpha4 split with matches, a ServiceRouter on the root whose matching routes go to a
 * splitter on a virtual service "<root>--split" (unmatched requests take the router's implicit
 * default: the root itself). A backend that is itself split elsewhere is reached through a resolver
 * subset of all its instances, since Consul would otherwise apply its splitter too.
 * Consul docs: "Service splitter/router/resolver configuration entry reference", "Discovery chain".
 */
import { provenanceLabel, type PolicyModel, type SplitPolicy } from '../../policy/model.js';
import type { Report } from '../diagnostics.js';
import { derivedName, meta, resourceName } from '../naming.js';
import { splitPortPlans } from '../split-plan.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { toPercentages } from '../weights.js';
import { consulMatch } from './http-match.js';
import { consulKey, consulName, mirrored, type ConsulName, type NameFacts } from './names.js';
import type { HttpServices } from './protocols.js';
import { ALL_INSTANCES_SUBSET, CONSUL_API, type ServiceResolverSpec, type ServiceRouterSpec, type ServiceSplitterSpec, type SplitEntry } from './types.js';

const NOT_EXPRESSED = 'CONSUL_SPLIT_NOT_EXPRESSED';

export const virtualSplitName = (root: string): string => derivedName(resourceName(root), 'split');

/** The Services a namespace registers or splits: a split is refused over a name another namespace uses too. */
export function serviceNames(model: PolicyModel): string[] {
  const keys = [...model.inventory.services.keys()];
  for (const s of model.splits.values()) keys.push(`${s.namespace}/${s.service}`, ...s.backends.map((b) => `${s.namespace}/${b.service}`));
  return keys;
}

export function translateSplits(model: PolicyModel, options: TranslateOptions, facts: NameFacts, http: HttpServices, report: Report): MeshResource[] {
  const out: MeshResource[] = [];
  const roots = new Set([...model.splits.keys()]);
  const resolvers = new Map<string, { name: ConsulName; namespace: string; split: SplitPolicy }>();
  const splits = [...model.splits.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`));

  for (const split of splits) {
    const label = provenanceLabel(split.ref);
    const ns = split.namespace;
    const plans = splitPortPlans(model, split);
    const distinct = new Set(plans.map((p) => JSON.stringify(p.backends)));
    if (distinct.size > 1) {
      const detail = plans.map((p) => `port ${p.port}: ${p.backends.map((b) => b.service.split('/')[1]).join(', ') || 'the root itself'}`).join('; ');
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: Consul splits a service as a whole, but which backends take the traffic differs by port (${detail}); no splitter is written, so ${ns}/${split.service} is not split`);
      continue;
    }
    const backends = (plans[0]?.backends ?? []).filter((b) => b.weight > 0);
    if (backends.length === 0) continue; // no backend can take it: the root serves, as without a splitter
    const names = [split.service, ...backends.map((b) => b.service.split('/')[1] ?? '')];
    const shared = mirrored(options) ? [] : names.filter((n) => facts.services(consulKey(consulName(ns, n, options))).size > 1);
    if (!mirrored(options) && shared.length > 0) {
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: Service name(s) ${shared.join(', ')} exist in several Kubernetes namespaces, which are one Consul service each without Consul namespaces; no splitter is written. Use --consul-namespaces mirror`);
      continue;
    }
    if (split.matches !== undefined && split.matches.length === 0) continue; // nothing can match: every request goes to the root

    const { percents, maxError } = toPercentages(backends.map((b) => b.weight), 2);
    if (maxError > 1e-9) {
      report(split.ref, 'warning', 'CONSUL_WEIGHT_ROUNDED', `${label}: Consul weights are percentages with two decimals; shares are off by up to ${maxError.toFixed(4)} percentage points`);
    }
    const entries: SplitEntry[] = backends.map((b, i) => {
      const service = b.service.split('/')[1] ?? '';
      const target = consulName(ns, service, options);
      // A backend split elsewhere would be split again by Consul: address all its instances instead.
      const again = roots.has(b.service) && b.service !== `${ns}/${split.service}`;
      if (again) resolvers.set(b.service, { name: target, namespace: ns, split });
      return { weight: percents[i] ?? 0, service, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}), ...(again ? { serviceSubset: ALL_INSTANCES_SUBSET } : {}) };
    });
    const root = consulName(ns, split.service, options);
    const why = `the traffic split of ${label}`;
    http.require(root, ns, why, split.ref);
    for (const b of backends) http.require(consulName(ns, b.service.split('/')[1] ?? '', options), ns, why, split.ref);
    const splitter: ServiceSplitterSpec = { splits: entries };

    if (split.matches === undefined) {
      out.push({ apiVersion: CONSUL_API, kind: 'ServiceSplitter', metadata: meta('consul', split.service, ns, [split.ref]), spec: splitter });
      continue;
    }
    const virtual = consulName(ns, virtualSplitName(split.service), options);
    http.require(virtual, ns, why, split.ref);
    out.push({ apiVersion: CONSUL_API, kind: 'ServiceSplitter', metadata: meta('consul', virtual.name, ns, [split.ref]), spec: splitter });
    const seen = new Set<string>();
    const routes: ServiceRouterSpec['routes'] = [];
    for (const m of split.matches) {
      const match = consulMatch(m);
      const key = JSON.stringify(match);
      if (seen.has(key)) continue;
      seen.add(key);
      routes.push({ match: { http: match }, destination: { service: virtual.name, ...(virtual.namespace !== undefined ? { namespace: virtual.namespace } : {}) } });
    }
    out.push({ apiVersion: CONSUL_API, kind: 'ServiceRouter', metadata: meta('consul', split.service, ns, [split.ref]), spec: { routes } });
  }

  for (const { name, namespace, split } of resolvers.values()) {
    const spec: ServiceResolverSpec = { subsets: { [ALL_INSTANCES_SUBSET]: { filter: '' } } };
    out.push({ apiVersion: CONSUL_API, kind: 'ServiceResolver', metadata: meta('consul', name.name, namespace, [split.ref]), spec });
  }
  return out;
}
