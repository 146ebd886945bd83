/**
 * Options shared by the commands that work on a mesh translation: the common ones here, and each
 * mesh's own, built from the descriptors its folder declares (targets/<mesh>/options.ts).
 */
import { Option, type Command } from 'commander';
import { findTarget, meshOptions, targetNames } from '../targets/registry.js';
import { flagKey, given, translateOptions, type TranslateFlags } from '../targets/option-flags.js';

const flagKeyOf = (o: MeshOption): string => flagKey(o.flag);

export { translateOptions, type TranslateFlags };
import { DEFAULT_OPTIONS, type MeshOption, type Target } from '../targets/target.js';
import { UsageError } from './io.js';

export const meshOption = (required = true) => {
  const o = new Option('--mesh <mesh>', `target mesh: ${targetNames().join(', ')}`);
  return required ? o.makeOptionMandatory() : o;
};
export const trustDomainOption = () => new Option('--trust-domain <domain>', 'trust domain of mesh identities').default(DEFAULT_OPTIONS.trustDomain);
export const clusterDomainOption = () => new Option('--cluster-domain <domain>', 'DNS suffix of Services').default(DEFAULT_OPTIONS.clusterDomain);
export const enforcementOption = () =>
  new Option('--enforcement <mode>', 'enforce (default), or audit: the mesh reports what SMI would deny without denying it; refused for meshes that cannot audit').choices(['enforce', 'audit']);
export const fenceOption = () =>
  new Option('--fence <kind>', 'networkpolicy: also write Kubernetes NetworkPolicies that let into each destination only the ports, protocols and callers SMI grants (closes UDP and ports the mesh does not see); refused for meshes that enforce everything themselves').choices(['networkpolicy']);

/** The commander option of a mesh's flag. */
function commanderOption(o: MeshOption): Option {
  const option = new Option(`--${o.flag}${o.value ? ` <${o.value}>` : ''}`, o.description);
  return o.choices ? option.choices([...o.choices]) : option;
}

/** The long flags addTranslateOptions adds: help lists them after a command's own (main.ts). */
export function translateOptionFlags(): Set<string> {
  return new Set(['--trust-domain', '--cluster-domain', '--enforcement', '--fence', ...meshOptions().map(({ option }) => `--${option.flag}`)]);
}

/** Every option that shapes a translation, on one command: the common ones, then each mesh's. */
export function addTranslateOptions(command: Command): Command {
  command.addOption(trustDomainOption()).addOption(clusterDomainOption()).addOption(enforcementOption()).addOption(fenceOption());
  for (const { option } of meshOptions()) command.addOption(commanderOption(option));
  return command;
}

/** The mesh flags that say how to read a mesh's metrics (MeshOption.readsMetrics), on a command that reads them. */
export function addMetricsOptions(command: Command): Command {
  for (const { option } of meshOptions().filter(({ option: o }) => o.readsMetrics)) command.addOption(commanderOption(option));
  return command;
}

/** Where a mesh's flag applies, in words: its mesh, and the targets that can write its authorization. */
function whereItApplies(owner: Target, o: MeshOption): string {
  if (o.appliesTo === 'mesh') return `--mesh ${owner.name} only`;
  const composers = meshOptions().filter(({ owner: t, option }) => t !== owner && option.selectsAuthorization && option.choices?.includes(owner.name));
  return [`--mesh ${owner.name}`, ...composers.map(({ owner: t, option }) => `--mesh ${t.name} --${option.flag} ${owner.name}`)].join(', or ');
}

/** Whether a mesh's flag applies to a translation by this target with these options. */
function appliesTo(owner: Target, option: MeshOption, target: Target, options: ReturnType<typeof translateOptions>): boolean {
  return owner === target || (option.appliesTo === 'authorization' && target.authorization?.(options) === owner.name);
}

/**
 * Several meshes side by side (the dashboard, diff): each mesh flag must apply to at least one of
 * them, and each mesh gets only the flags that apply to it (`--mesh istio --mesh linkerd
 * --linkerd-default-policy deny` gives Linkerd its default policy and Istio nothing).
 */
export function requireTargets(names: readonly string[], flags: TranslateFlags = {}): { target: Target; options: ReturnType<typeof translateOptions> }[] {
  const all = translateOptions(flags);
  const targets = names.map((name) => {
    const target = findTarget(name);
    if (!target) throw new UsageError(`--mesh ${name}: unknown mesh; smi translates to ${targetNames().join(', ')}`);
    return target;
  });
  const given = meshOptions().filter(({ option }) => flags[flagKeyOf(option)] !== undefined);
  for (const { owner, option } of given) {
    if (!targets.some((t) => appliesTo(owner, option, t, all))) throw new UsageError(`--${option.flag} applies to ${whereItApplies(owner, option)}, and none of the meshes shown is one`);
  }
  // --fence applies to the meshes that have one (cilium is shown as it is), as long as one does.
  if (flags.fence !== undefined && !targets.some((t) => t.fence)) throw new UsageError(`--fence applies to meshes that cannot deny everything SMI denies themselves; ${targets.map((t) => t.name).join(', ')} enforce in the datapath without it`);
  return targets.map((target) => {
    const own: TranslateFlags = Object.fromEntries(Object.entries(flags).filter(([key]) => {
      if (key === 'fence') return Boolean(target.fence);
      const mine = given.find(({ option }) => flagKeyOf(option) === key);
      return !mine || appliesTo(mine.owner, mine.option, target, all);
    }));
    return { target: requireTarget(target.name, own), options: translateOptions(own) };
  });
}

export function requireTarget(name: string, flags: TranslateFlags = {}): Target {
  const target = findTarget(name);
  if (!target) throw new UsageError(`--mesh ${name}: unknown mesh; smi translates to ${targetNames().join(', ')}`);
  const options = translateOptions(flags);
  // Options that would be silently ignored are mistakes worth a clear word.
  for (const { owner, option } of meshOptions()) {
    if (given(flags, option) === undefined) continue;
    const applies = owner === target || (option.appliesTo === 'authorization' && target.authorization?.(options) === owner.name);
    if (!applies) throw new UsageError(`--${option.flag} applies to ${whereItApplies(owner, option)}${option.selectsAuthorization ? ` (${target.name} writes its own authorization)` : ''}`);
    const refusal = option.refuse?.(options);
    if (refusal) throw new UsageError(refusal);
  }
  if (flags.enforcement === 'audit') {
    if (!target.audit) throw new UsageError(`--enforcement audit: ${target.name} cannot report denials without enforcing them (it has no dry-run or audit mode). Preview instead with \`smi diff --live\` or \`smi controller --dry-run\`, or check live flows with \`smi impact\``);
    if (target.authorization && target.authorization(options) === undefined) {
      const selector = (target.options ?? []).find((o) => o.selectsAuthorization);
      throw new UsageError(`--enforcement audit with --mesh ${target.name} needs ${selector ? `--${selector.flag} ${selector.choices?.join('|') ?? ''}` : 'an authorization'}: without it nothing is enforced, so there is nothing to audit`);
    }
  }
  if (flags.fence !== undefined) {
    if (!target.fence) throw new UsageError(`--fence applies to meshes that cannot deny everything SMI denies themselves; ${target.name} enforces in the datapath (UDP included) without it`);
    if (flags.enforcement === 'audit') throw new UsageError('--fence with --enforcement audit: the NetworkPolicy fence has no audit mode and would enforce; preview it with `smi diff --live` instead');
  }
  return target;
}
