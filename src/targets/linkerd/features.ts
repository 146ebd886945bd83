/** What Linkerd carries of SMI. */
import { full, none, partial, type FeatureTable } from '../features.js';

export const LINKERD_FEATURES: FeatureTable = {
  'l4-grant': partial('Servers cover declared container ports only; others follow the default inbound policy'),
  'http-route-grant': partial('one route judges each request: overlapping matches with different sources narrow access; opaque ports carry HTTP as TCP'),
  'http-regex-path': partial('as HTTP route grants (RegularExpression matches are RE2, exact)'),
  'http-header-match': partial('as HTTP route grants; a header named twice in one match is left out'),
  'udp-grant': none('the proxy does not carry UDP (use --fence networkpolicy)'),
  'weighted-split': full,
};
