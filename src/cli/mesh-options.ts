/** Options shared by the commands that work on a mesh translation. */
import { Option } from 'commander';
import { findTarget, targetNames } from '../targets/registry.js';
import { DEFAULT_OPTIONS, type Target, type TranslateOptions } from '../targets/target.js';
import { UsageError } from './io.js';

export const meshOption = (required = true) => {
  const o = new Option('--mesh <mesh>', `target mesh: ${targetNames().join(', ')}`);
  return required ? o.makeOptionMandatory() : o;
};
export const trustDomainOption = () => new Option('--trust-domain <domain>', 'trust domain of mesh identities').default(DEFAULT_OPTIONS.trustDomain);
export const clusterDomainOption = () => new Option('--cluster-domain <domain>', 'DNS suffix of Services').default(DEFAULT_OPTIONS.clusterDomain);
export const authzOption = () => new Option('--authz <mesh>', 'authorization resources to pair with Gateway API routes').choices(['istio', 'linkerd']);

export function requireTarget(name: string): Target {
  const target = findTarget(name);
  if (!target) throw new UsageError(`--mesh ${name}: unknown mesh; smi translates to ${targetNames().join(', ')}`);
  return target;
}

export function translateOptions(opts: { trustDomain?: string; clusterDomain?: string; authz?: 'istio' | 'linkerd' }): TranslateOptions {
  return {
    trustDomain: opts.trustDomain ?? DEFAULT_OPTIONS.trustDomain,
    clusterDomain: opts.clusterDomain ?? DEFAULT_OPTIONS.clusterDomain,
    ...(opts.authz ? { authz: opts.authz } : {}),
  };
}
