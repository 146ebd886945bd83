/** What Consul carries of SMI. */
import { none, partial, type FeatureTable } from '../features.js';

export const CONSUL_FEATURES: FeatureTable = {
  'l4-grant': partial('intentions cover a whole service: grants limited to some ports are left out'),
  'http-route-grant': partial('L7 intentions need protocol http: raw TCP to such services is no longer carried'),
  'http-regex-path': partial('as HTTP route grants'),
  'http-header-match': partial('as HTTP route grants'),
  'udp-grant': none('sidecars carry TCP only (use --fence networkpolicy)'),
  'weighted-split': partial('weights are percentages with two decimals; the Service must be named after its ServiceAccount'),
};
