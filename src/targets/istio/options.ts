/** Istio's flags and the translation options they set. */
import type { MeshOption } from '../target.js';

export const DEFAULT_ISTIO_ROOT_NAMESPACE = 'istio-system';

declare module '../target.js' {
  interface TranslateOptions {
    /**
     * Istio: the mesh's root namespace (meshConfig.rootNamespace), where an AuthorizationPolicy with a
     * selector applies to matching workloads of every namespace. Default istio-system.
     */
    readonly istioRootNamespace?: string;
  }
}

export const ISTIO_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'istio-root-namespace', value: 'ns', appliesTo: 'authorization',
    description: `Istio: the mesh's root namespace, whose policies reach every namespace; smi writes no policy there (default ${DEFAULT_ISTIO_ROOT_NAMESPACE})`,
    set: (v) => ({ istioRootNamespace: String(v) }),
    get: (o) => o.istioRootNamespace,
  },
];
