/** Consul's flags and the translation options they set. */
import type { MeshOption } from '../target.js';

declare module '../target.js' {
  interface TranslateOptions {
    /**
     * Consul: "single" (Consul CE, every Kubernetes namespace in Consul's default namespace) or
     * "mirror" (Consul Enterprise namespace mirroring). Default single.
     */
    readonly consulNamespaces?: 'single' | 'mirror';
  }
}

export const CONSUL_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'consul-namespaces', value: 'mode', choices: ['single', 'mirror'], appliesTo: 'mesh',
    description: 'Consul: single (Consul CE: one Consul namespace for the cluster) or mirror (Consul Enterprise mirrors Kubernetes namespaces); default single',
    set: (v) => ({ consulNamespaces: v as 'single' | 'mirror' }),
    get: (o) => o.consulNamespaces,
  },
];
