/**
 * How SMI identities and Services become Consul service names. consul-k8s registers a pod under
 * its Kubernetes Service's name and, with ACLs, only when that name equals the pod's ServiceAccount:
 * so the Consul service of ServiceAccount ns/sa is "sa". Without Consul Enterprise namespace
 * mirroring every Kubernetes namespace shares one Consul namespace, and a name used in two
 * Kubernetes namespaces is one Consul service: smi must not grant by such a name.
 */
import type { Workload } from '../../policy/model.js';
import type { TranslateOptions } from '../target.js';

export type ConsulNamespaces = 'mirror' | 'single';
export const CONSUL_NAMESPACE_MODES: readonly ConsulNamespaces[] = ['single', 'mirror'];

export interface ConsulName {
  readonly name: string;
  /** Set only with namespace mirroring (Consul Enterprise). */
  readonly namespace?: string;
}

export const mirrored = (options: TranslateOptions): boolean => options.consulNamespaces === 'mirror';

export function consulName(namespace: string, name: string, options: TranslateOptions): ConsulName {
  return mirrored(options) ? { name, namespace } : { name };
}

export const consulKey = (n: ConsulName): string => `${n.namespace ?? ''}/${n.name}`;

/** The Consul name of a Kubernetes namespace/name key. */
export const consulKeyOf = (key: string, options: TranslateOptions): string => {
  const i = key.indexOf('/');
  return consulKey(consulName(key.slice(0, i), key.slice(i + 1), options));
};

/**
 * What the translation of one namespace must know about a Consul name from every namespace: a name
 * stands for whatever registers under it anywhere (without Consul namespaces, across the cluster).
 */
export interface NameFacts {
  /** Kubernetes identities (namespace/ServiceAccount) known under the name: more than one means it is shared. */
  identities(key: string): ReadonlySet<string>;
  /** Services registering pods of other ServiceAccounts under the name, and those ServiceAccounts. */
  impostors(key: string): ReadonlySet<string>;
  /** Identities under the name running in namespaces outside smi's scope. */
  outside(key: string): ReadonlySet<string>;
  /** Destinations (namespace/ServiceAccount) that get intentions under the name. */
  destinations(key: string): ReadonlySet<string>;
  /** Kubernetes Services (and split services) under the name. */
  services(key: string): ReadonlySet<string>;
}

/**
 * The port consul-k8s registers a pod's service on (the first TCP container port, when no
 * annotation says otherwise): the only port through which the mesh delivers to it.
 * undefined: the pod declares none, and traffic reaches whatever port it was sent to.
 */
export function servicePort(w: Pick<Workload, 'ports'>): number | undefined {
  return w.ports.find((p) => p.protocol === 'TCP')?.port;
}
