/** TrafficTarget on its own: identity kinds, the destination's namespace, rules that make sense. */
import type { TrafficTarget } from '../access/v1alpha3.js';
import type { Report } from '../objects.js';
import { subdomainProblem, labelProblem } from '../names.js';

export function checkTrafficTarget(target: TrafficTarget, namespace: string, report: Report): void {
  const { destination, rules, sources } = target.spec;
  if (destination.kind !== 'ServiceAccount') {
    report('error', 'SMI_TT_DESTINATION_KIND', ['spec', 'destination', 'kind'],
      `destination kind "${destination.kind}" is not supported; TrafficTarget destinations are ServiceAccounts`);
  }
  const nameProblem = subdomainProblem(destination.name);
  if (nameProblem) report('error', 'SMI_INVALID_NAME', ['spec', 'destination', 'name'], `ServiceAccount name "${destination.name}" ${nameProblem}`);
  if (destination.namespace !== undefined && destination.namespace !== namespace) {
    report('error', 'SMI_TT_DESTINATION_NAMESPACE', ['spec', 'destination', 'namespace'],
      `destination namespace "${destination.namespace}" differs from the TrafficTarget's namespace "${namespace}": ` +
        `only the destination's owners may grant access to it, so create this TrafficTarget in "${destination.namespace}". It grants nothing`);
  }
  sources.forEach((source, i) => {
    if (source.kind !== 'ServiceAccount') {
      report('error', 'SMI_TT_SOURCE_KIND', ['spec', 'sources', i, 'kind'],
        `source kind "${source.kind}" is not supported; sources are ServiceAccounts. The TrafficTarget grants nothing until this is fixed`);
    }
    const problem = subdomainProblem(source.name);
    if (problem) report('error', 'SMI_INVALID_NAME', ['spec', 'sources', i, 'name'], `ServiceAccount name "${source.name}" ${problem}`);
    if (source.namespace !== undefined) {
      const nsProblem = labelProblem(source.namespace);
      if (nsProblem) report('error', 'SMI_INVALID_NAME', ['spec', 'sources', i, 'namespace'], `namespace "${source.namespace}" ${nsProblem}`);
    }
  });
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    const key = `${rule.kind}/${rule.name}/${JSON.stringify(rule.matches ?? null)}`;
    if (seen.has(key)) report('warning', 'SMI_TT_DUPLICATE_RULE', ['spec', 'rules', i], `rule ${rule.kind}/${rule.name} is listed twice`);
    seen.add(key);
    if (rule.kind !== 'HTTPRouteGroup' && rule.matches !== undefined) {
      report('warning', 'SMI_TT_MATCHES_ON_L4', ['spec', 'rules', i, 'matches'],
        `matches name HTTPRouteGroup matches; on a ${rule.kind} rule they mean nothing and are ignored`);
    }
    if (rule.kind === 'HTTPRouteGroup' && rule.matches !== undefined && rule.matches.length === 0) {
      report('warning', 'SMI_TT_EMPTY_MATCHES', ['spec', 'rules', i, 'matches'],
        'an empty matches list selects no match of the group, so this rule allows nothing; omit matches to allow every match');
    }
  });
}
