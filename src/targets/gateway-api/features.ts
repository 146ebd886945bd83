/** What Gateway API routes carry of SMI: splits themselves, access through the authorization they are paired with. */
import { full, none, type FeatureTable } from '../features.js';
import { ISTIO_FEATURES } from '../istio/features.js';
import { LINKERD_FEATURES } from '../linkerd/features.js';

const NO_AUTHZ = none('no standard authorization: pass --authz istio|linkerd');

export function gatewayApiFeatures(authz: 'istio' | 'linkerd' | undefined): FeatureTable {
  const access = authz === 'istio' ? ISTIO_FEATURES : authz === 'linkerd' ? LINKERD_FEATURES : undefined;
  return {
    'l4-grant': access?.['l4-grant'] ?? NO_AUTHZ,
    'http-route-grant': access?.['http-route-grant'] ?? NO_AUTHZ,
    'http-regex-path': access?.['http-regex-path'] ?? NO_AUTHZ,
    'http-header-match': access?.['http-header-match'] ?? NO_AUTHZ,
    'udp-grant': access?.['udp-grant'] ?? NO_AUTHZ,
    'weighted-split': full,
  };
}
