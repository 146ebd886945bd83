/** Cilium's flags and the translation options they set. */
import type { MeshOption } from '../target.js';

declare module '../target.js' {
  interface TranslateOptions {
    /** Cilium: require mutual authentication (authentication.mode: required, backed by SPIRE) on every rule that grants callers. */
    readonly ciliumMutualAuth?: boolean;
  }
}

export const CILIUM_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'cilium-mutual-auth', appliesTo: 'mesh',
    description: 'Cilium: require mutual authentication (authentication.mode: required; needs Cilium with SPIRE) on every rule that grants callers',
    set: () => ({ ciliumMutualAuth: true }),
    get: (o) => (o.ciliumMutualAuth ? true : undefined),
  },
];
