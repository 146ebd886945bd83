/** What Cilium carries of SMI. */
import { full, partial, type FeatureTable } from '../features.js';

export const CILIUM_FEATURES: FeatureTable = {
  'l4-grant': partial('a source with HTTP rules on a port is proxied there: its plain TCP to that port is refused'),
  'http-route-grant': partial('L7 rules name ports: HTTP granted on every port covers the declared ports'),
  'http-regex-path': partial('regexes using (?m), or a word boundary beside an end anchor, are left out'),
  'http-header-match': partial('header values are exact or presence only'),
  'udp-grant': full,
  'weighted-split': full,
};
