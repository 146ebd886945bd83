/** What App Mesh carries of SMI. */
import { none, partial, type FeatureTable } from '../features.js';

export const APPMESH_FEATURES: FeatureTable = {
  'l4-grant': partial('per client certificate on the listener ports: declared container ports and the Services\' target ports'),
  'http-route-grant': none('access is per connection: HTTP rules narrower than everything are left out'),
  'http-regex-path': none('access is per connection'),
  'http-header-match': none('access is per connection'),
  'udp-grant': none('UDP is not proxied (use --fence networkpolicy)'),
  'weighted-split': partial('weights are integers up to 100'),
};
