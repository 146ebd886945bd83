/** Gateway API's flags: whose authorization resources to pair with the routes. */
import type { MeshOption } from '../target.js';

/** The targets whose authorization gateway-api composes (their folders hold the translation). */
export const AUTHZ_CHOICES = ['istio', 'linkerd'] as const;

declare module '../target.js' {
  interface TranslateOptions {
    /** Gateway API: the authorization resources paired with the routes. */
    readonly authz?: (typeof AUTHZ_CHOICES)[number];
  }
}

export const GATEWAY_API_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'authz', value: 'mesh', choices: AUTHZ_CHOICES, appliesTo: 'mesh', selectsAuthorization: true, variant: true,
    description: 'authorization resources to pair with Gateway API routes',
    set: (v) => ({ authz: v as (typeof AUTHZ_CHOICES)[number] }),
    get: (o) => o.authz,
  },
];
