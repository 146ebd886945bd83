/**
 * The legacy split for Linkerd installs older than HTTPRoute support (before 2.14): a ServiceProfile
 * (linkerd.io/v1alpha2) on the root service's FQDN with dstOverrides, what the SMI extension for
 * Linkerd wrote. A ServiceProfile applies to every port and cannot scope a split to requests, so
 * splits with matches, or whose eligible backends differ by port, are reported and left out.
 * Linkerd docs: "Service Profiles" reference (dstOverrides); a ServiceProfile takes precedence over
 * HTTPRoutes for the same Service.
 */
import { provenanceLabel, type PolicyModel } from '../../policy/model.js';
import { splitPortPlans } from '../split-plan.js';
import { meta, serviceFqdn } from '../naming.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource, MeshRoute, TranslateOptions } from '../target.js';
import type { RouteRequest } from '../../policy/request.js';
import { SERVICE_PROFILE, SERVICE_PROFILE_API, type DstOverride, type ServiceProfileSpec } from './types.js';
import { resourcesOf } from '../resource-index.js';

export function translateServiceProfiles(model: PolicyModel, options: TranslateOptions, report: Report): MeshResource[] {
  const out: MeshResource[] = [];
  for (const split of [...model.splits.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`))) {
    const label = provenanceLabel(split.ref);
    if (split.matches !== undefined) {
      report(split.ref, 'error', 'LINKERD_SPLIT_NOT_EXPRESSED', `${label}: a ServiceProfile's dstOverrides apply to every request, so a split limited to matches cannot be written; left out (use HTTPRoutes, the default, on Linkerd 2.14 and later)`);
      continue;
    }
    const plans = splitPortPlans(model, split).filter((p) => p.backends.length > 0);
    const shapes = new Set(plans.map((p) => JSON.stringify(p.backends)));
    if (plans.length === 0) continue;
    if (shapes.size > 1 || plans.some((p) => p.port === undefined) || plans.length !== splitPortPlans(model, split).length) {
      report(split.ref, 'error', 'LINKERD_SPLIT_NOT_EXPRESSED', `${label}: its backends differ by port (or the root Service is not in the input), and a ServiceProfile applies to every port; left out (use HTTPRoutes, the default)`);
      continue;
    }
    const dstOverrides: DstOverride[] = plans[0]!.backends.map((b) => {
      const [ns = '', name = ''] = b.service.split('/');
      return { authority: serviceFqdn(name, ns, options.clusterDomain), weight: b.weight };
    });
    out.push({
      apiVersion: SERVICE_PROFILE_API, kind: 'ServiceProfile',
      metadata: meta('linkerd', serviceFqdn(split.service, split.namespace, options.clusterDomain), split.namespace, [split.ref]),
      spec: { routes: [], dstOverrides } satisfies ServiceProfileSpec,
    });
  }
  return out;
}

/** dstOverrides, when a ServiceProfile for the root exists: relative weights, on every port. */
export function evaluateServiceProfile(resources: readonly MeshResource[], request: RouteRequest, options: TranslateOptions): MeshRoute | undefined {
  const name = serviceFqdn(request.service.name, request.service.namespace, options.clusterDomain);
  const profile = resourcesOf(resources, SERVICE_PROFILE, request.service.namespace).find((r) => r.metadata.name === name);
  const overrides = profile?.spec?.dstOverrides;
  if (!profile || !overrides || overrides.length === 0) return undefined;
  const weights = overrides.map((o) => Number(o.weight));
  const total = weights.reduce((s, w) => s + w, 0);
  const backends = new Map<string, number>();
  overrides.forEach((o, i) => {
    if ((weights[i] ?? 0) <= 0 || total === 0) return;
    const [svc = '', ns = ''] = o.authority.split(':')[0]!.split('.');
    backends.set(`${ns}/${svc}`, (backends.get(`${ns}/${svc}`) ?? 0) + (weights[i] ?? 0) / total);
  });
  return { backends: [...backends].map(([service, share]) => ({ service, share })), reasons: [`ServiceProfile ${name} dstOverrides`] };
}
