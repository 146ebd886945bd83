/** What Istio carries of SMI (sidecar mode). */
import { full, none, partial, type FeatureTable } from '../features.js';

export const ISTIO_FEATURES: FeatureTable = {
  'l4-grant': full,
  'http-route-grant': full,
  'http-regex-path': partial('authorization paths are exact, prefix or suffix: other regexes are left out (ISTIO_PATH_INEXPRESSIBLE)'),
  'http-header-match': partial('header values are exact, prefix, suffix or presence: other regexes are left out (ISTIO_HEADER_INEXPRESSIBLE)'),
  'udp-grant': none('sidecars intercept TCP only: UDP is neither allowed nor denied (use --fence networkpolicy)'),
  'weighted-split': partial('weights are whole percentages: shares are rounded'),
};
