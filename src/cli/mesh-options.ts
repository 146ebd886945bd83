/** Options shared by the commands that work on a mesh translation. */
import { Option, type Command } from 'commander';
import { findTarget, targetNames } from '../targets/registry.js';
import { DEFAULT_OPTIONS, LINKERD_DEFAULT_POLICIES, type LinkerdDefaultPolicy, type Target, type TranslateOptions } from '../targets/target.js';
import { UsageError } from './io.js';

export const meshOption = (required = true) => {
  const o = new Option('--mesh <mesh>', `target mesh: ${targetNames().join(', ')}`);
  return required ? o.makeOptionMandatory() : o;
};
export const trustDomainOption = () => new Option('--trust-domain <domain>', 'trust domain of mesh identities').default(DEFAULT_OPTIONS.trustDomain);
export const clusterDomainOption = () => new Option('--cluster-domain <domain>', 'DNS suffix of Services').default(DEFAULT_OPTIONS.clusterDomain);
export const authzOption = () => new Option('--authz <mesh>', 'authorization resources to pair with Gateway API routes').choices(['istio', 'linkerd']);

export const linkerdDefaultPolicyOption = () =>
  new Option('--linkerd-default-policy <policy>', "Linkerd: the cluster's default inbound policy, which decides on ports no Server covers (strict mode needs deny)").choices([...LINKERD_DEFAULT_POLICIES]);
export const linkerdNamespaceDenyOption = () =>
  new Option('--linkerd-namespace-deny', "Linkerd: write config.linkerd.io/default-inbound-policy: deny on the namespaces holding the destinations smi governs (that annotation alone, by server-side apply), so ports no Server covers are denied without a cluster-wide change");
export const consulNamespacesOption = () =>
  new Option('--consul-namespaces <mode>', 'Consul: single (Consul CE: one Consul namespace for the cluster) or mirror (Consul Enterprise mirrors Kubernetes namespaces); default single').choices(['single', 'mirror']);
export const istioRootNamespaceOption = () =>
  new Option('--istio-root-namespace <ns>', "Istio: the mesh's root namespace, whose policies reach every namespace; smi writes no policy there (default istio-system)");
export const enforcementOption = () =>
  new Option('--enforcement <mode>', "enforce (default), or audit: the mesh reports what SMI would deny without denying it (Istio's dry-run policies, Linkerd's audit access policy); refused for meshes that cannot audit").choices(['enforce', 'audit']);
export const fenceOption = () =>
  new Option('--fence <kind>', 'networkpolicy: also write Kubernetes NetworkPolicies that let into each destination only the ports, protocols and callers SMI grants (closes UDP and ports the mesh does not see); not for cilium, which enforces itself').choices(['networkpolicy']);
export const ciliumMutualAuthOption = () =>
  new Option('--cilium-mutual-auth', 'Cilium: require mutual authentication (authentication.mode: required; needs Cilium with SPIRE) on every rule that grants callers');
export const linkerdServiceProfilesOption = () => new Option('--linkerd-service-profiles', 'Linkerd: write splits as legacy ServiceProfile dstOverrides (Linkerd before 2.14) instead of HTTPRoutes');

/** Every option that shapes a translation, on one command. */
export function addTranslateOptions(command: Command): Command {
  return command
    .addOption(authzOption())
    .addOption(trustDomainOption())
    .addOption(clusterDomainOption())
    .addOption(linkerdDefaultPolicyOption())
    .addOption(linkerdNamespaceDenyOption())
    .addOption(linkerdServiceProfilesOption())
    .addOption(consulNamespacesOption())
    .addOption(istioRootNamespaceOption())
    .addOption(enforcementOption())
    .addOption(fenceOption())
    .addOption(ciliumMutualAuthOption());
}

export interface TranslateFlags {
  trustDomain?: string;
  clusterDomain?: string;
  authz?: 'istio' | 'linkerd';
  linkerdDefaultPolicy?: LinkerdDefaultPolicy;
  linkerdServiceProfiles?: boolean;
  linkerdNamespaceDeny?: boolean;
  consulNamespaces?: 'single' | 'mirror';
  istioRootNamespace?: string;
  enforcement?: 'enforce' | 'audit';
  fence?: 'networkpolicy';
  ciliumMutualAuth?: boolean;
}

export function requireTarget(name: string, flags: TranslateFlags = {}): Target {
  const target = findTarget(name);
  if (!target) throw new UsageError(`--mesh ${name}: unknown mesh; smi translates to ${targetNames().join(', ')}`);
  // Options that would be silently ignored are mistakes worth a clear word.
  if (flags.authz !== undefined && target.name !== 'gateway-api') throw new UsageError(`--authz applies to --mesh gateway-api only (${target.name} writes its own authorization)`);
  const linkerdish = target.name === 'linkerd' || (target.name === 'gateway-api' && flags.authz === 'linkerd');
  if (flags.linkerdDefaultPolicy !== undefined && !linkerdish) throw new UsageError('--linkerd-default-policy applies to --mesh linkerd, or --mesh gateway-api --authz linkerd');
  if (flags.linkerdNamespaceDeny && !linkerdish) throw new UsageError('--linkerd-namespace-deny applies to --mesh linkerd, or --mesh gateway-api --authz linkerd');
  if (flags.linkerdNamespaceDeny && flags.enforcement === 'audit') throw new UsageError('--linkerd-namespace-deny with --enforcement audit: audit needs the default policy audit, not deny; set config.linkerd.io/default-inbound-policy: audit yourself and pass --linkerd-default-policy audit');
  if (flags.linkerdServiceProfiles && target.name !== 'linkerd') throw new UsageError('--linkerd-service-profiles applies to --mesh linkerd only');
  if (flags.consulNamespaces !== undefined && target.name !== 'consul') throw new UsageError('--consul-namespaces applies to --mesh consul only');
  const istioish = target.name === 'istio' || (target.name === 'gateway-api' && flags.authz === 'istio');
  if (flags.enforcement === 'audit') {
    if (!target.audit) throw new UsageError(`--enforcement audit: ${target.name} cannot report denials without enforcing them (it has no dry-run or audit mode). Preview instead with \`smi diff --live\` or \`smi controller --dry-run\`, or check live flows with \`smi impact\``);
    if (target.name === 'gateway-api' && !flags.authz) throw new UsageError('--enforcement audit with --mesh gateway-api needs --authz istio|linkerd: without it nothing is enforced, so there is nothing to audit');
  }
  if (flags.ciliumMutualAuth && target.name !== 'cilium') throw new UsageError('--cilium-mutual-auth applies to --mesh cilium only');
  if (flags.fence !== undefined) {
    if (!target.fence) throw new UsageError(`--fence applies to meshes that cannot deny everything SMI denies themselves; ${target.name} enforces in the datapath (UDP included) without it`);
    if (flags.enforcement === 'audit') throw new UsageError('--fence with --enforcement audit: the NetworkPolicy fence has no audit mode and would enforce; preview it with `smi diff --live` instead');
  }
  if (flags.istioRootNamespace !== undefined && !istioish) throw new UsageError('--istio-root-namespace applies to --mesh istio, or --mesh gateway-api --authz istio');
  return target;
}

export function translateOptions(opts: TranslateFlags): TranslateOptions {
  return {
    trustDomain: opts.trustDomain ?? DEFAULT_OPTIONS.trustDomain,
    clusterDomain: opts.clusterDomain ?? DEFAULT_OPTIONS.clusterDomain,
    ...(opts.authz ? { authz: opts.authz } : {}),
    ...(opts.linkerdDefaultPolicy ? { linkerdDefaultPolicy: opts.linkerdDefaultPolicy } : {}),
    ...(opts.linkerdServiceProfiles ? { linkerdServiceProfiles: true } : {}),
    ...(opts.linkerdNamespaceDeny ? { linkerdNamespaceDeny: true } : {}),
    ...(opts.consulNamespaces ? { consulNamespaces: opts.consulNamespaces } : {}),
    ...(opts.istioRootNamespace ? { istioRootNamespace: opts.istioRootNamespace } : {}),
    ...(opts.enforcement === 'audit' ? { enforcement: 'audit' as const } : {}),
    ...(opts.fence ? { fence: opts.fence } : {}),
    ...(opts.ciliumMutualAuth ? { ciliumMutualAuth: true } : {}),
  };
}
