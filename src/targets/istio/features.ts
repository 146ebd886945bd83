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

/** With --istio-data-plane ambient and a waypoint (smi's or the user's): ztunnel for L4, the waypoint for routes. */
export const ISTIO_WAYPOINT_FEATURES: FeatureTable = {
  'l4-grant': full,
  'http-route-grant': partial('enforced by the waypoint, which sees requests addressed to Services: requests to a pod\'s own address, and destinations without a Service of their own, lose them (ISTIO_WAYPOINT_SERVICE_TRAFFIC, ISTIO_WAYPOINT_NO_SERVICE, ISTIO_WAYPOINT_SERVICE_SHARED)'),
  'http-regex-path': partial('as HTTP route grants, and authorization paths are exact, prefix or suffix (ISTIO_PATH_INEXPRESSIBLE)'),
  'http-header-match': partial('as HTTP route grants, and header values are exact, prefix, suffix or presence (ISTIO_HEADER_INEXPRESSIBLE)'),
  'udp-grant': none('ztunnel carries TCP only (use --fence networkpolicy)'),
  'weighted-split': full,
};

/** With --istio-data-plane ambient --istio-waypoint none: ztunnel's L4 enforcement only. */
export const ISTIO_AMBIENT_FEATURES: FeatureTable = {
  'l4-grant': full,
  'http-route-grant': none('ztunnel enforces L4 only and --istio-waypoint none writes no waypoint: HTTP grants are left out (ISTIO_AMBIENT_NEEDS_WAYPOINT)'),
  'http-regex-path': none('as HTTP route grants'),
  'http-header-match': none('as HTTP route grants'),
  'udp-grant': none('ztunnel carries TCP only (use --fence networkpolicy)'),
  'weighted-split': none('weighted routing happens at a waypoint, which --istio-waypoint none leaves out (ISTIO_AMBIENT_SPLIT_NOT_EXPRESSED)'),
};
