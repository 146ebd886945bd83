/**
 * Which Consul services must speak HTTP: L7 intentions, routers and splitters all need protocol
 * http in service-defaults, and every service of one discovery chain must share the protocol.
 * Setting it is not free — raw TCP to that service is no longer carried — so each one is reported.
 */
import type { Provenance } from '../../policy/model.js';
import type { Report } from '../diagnostics.js';
import { meta } from '../naming.js';
import type { MeshResource } from '../target.js';
import { consulKey, type ConsulName } from './names.js';
import { CONSUL_API, type ServiceDefaultsSpec } from './types.js';

interface Need {
  readonly name: ConsulName;
  /** Kubernetes namespace the ServiceDefaults object goes to, and the namespace/name it stands for. */
  readonly namespace: string;
  readonly why: Set<string>;
  readonly refs: Provenance[];
}

export class HttpServices {
  private readonly needs = new Map<string, Need>();

  require(name: ConsulName, namespace: string, why: string, ref: Provenance): void {
    const key = consulKey(name);
    let need = this.needs.get(key);
    if (!need) this.needs.set(key, (need = { name, namespace, why: new Set(), refs: [] }));
    need.why.add(why);
    need.refs.push(ref);
  }

  has(name: ConsulName): boolean {
    return this.needs.has(consulKey(name));
  }

  resources(report: Report): MeshResource[] {
    return [...this.needs.values()].map((need) => {
      const k8s = `${need.namespace}/${need.name.name}`;
      report(need.refs[0], 'warning', 'CONSUL_SERVICE_HTTP_ONLY',
        `Consul service ${need.name.name} (${k8s}) is set to protocol http in a ServiceDefaults, which ${[...need.why].sort().join(' and ')} need: raw TCP to ${k8s} is no longer carried by the mesh, and TCP grants to it allow HTTP only`);
      const spec: ServiceDefaultsSpec = { protocol: 'http' };
      return { apiVersion: CONSUL_API, kind: 'ServiceDefaults', metadata: meta('consul', need.name.name, need.namespace, need.refs), spec };
    });
  }
}
