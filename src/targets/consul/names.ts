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

/** Consul name → the Kubernetes namespace/name keys behind it, for those behind more than one. */
export function sharedNames(keys: Iterable<string>, options: TranslateOptions): Map<string, string[]> {
  const byName = new Map<string, Set<string>>();
  for (const key of keys) {
    const [namespace = '', name = ''] = key.split('/');
    const k = consulKey(consulName(namespace, name, options));
    let set = byName.get(k);
    if (!set) byName.set(k, (set = new Set()));
    set.add(key);
  }
  return new Map([...byName].filter(([, v]) => v.size > 1).map(([k, v]) => [k, [...v].sort()]));
}

/**
 * The port consul-k8s registers a pod's service on (the first TCP container port, when no
 * annotation says otherwise): the only port through which the mesh delivers to it.
 * undefined: the pod declares none, and traffic reaches whatever port it was sent to.
 */
export function servicePort(w: Pick<Workload, 'ports'>): number | undefined {
  return w.ports.find((p) => p.protocol === 'TCP')?.port;
}
