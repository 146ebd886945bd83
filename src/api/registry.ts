/**
 * Every SMI kind and every version the spec published, oldest first. The last version of each kind
 * is its hub: conversions go through it and CRDs store it.
 */
import type { Loss } from './loss.js';
import type { TSchema } from '@sinclair/typebox';
import type { AnyObject } from './schema.js';
import * as accessV1 from './access/v1alpha1.js';
import * as accessV2 from './access/v1alpha2.js';
import * as accessV3 from './access/v1alpha3.js';
import * as accessV4 from './access/v1alpha4.js';
import * as accessConv from './access/conversion.js';
import * as specsV1 from './specs/v1alpha1.js';
import * as specsV2 from './specs/v1alpha2.js';
import * as specsV3 from './specs/v1alpha3.js';
import * as specsV4 from './specs/v1alpha4.js';
import * as specsConv from './specs/conversion.js';
import * as splitV1 from './split/v1alpha1.js';
import * as splitV2 from './split/v1alpha2.js';
import * as splitV3 from './split/v1alpha3.js';
import * as splitV4 from './split/v1alpha4.js';
import * as splitConv from './split/conversion.js';
import * as metricsV1 from './metrics/v1alpha1.js';
import * as metricsV2 from './metrics/v1alpha2.js';
import * as metricsConv from './metrics/conversion.js';

export type { Loss } from './loss.js';

/** Converts an object of this version to the hub or back; `notes` collects what the target cannot hold. */
export type Converter = (object: AnyObject, notes: Loss[]) => AnyObject;

export interface VersionDef {
  readonly version: string;
  readonly schema: TSchema;
  /** Absent on the hub version. */
  readonly toHub?: Converter;
  readonly fromHub?: Converter;
  /** From the spec's working draft, not a published release. */
  readonly experimental?: boolean;
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly jsonPath: string;
  readonly description: string;
}

export interface KindDef {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** Served by a CustomResourceDefinition (false: by an aggregated API server). */
  readonly crd: boolean;
  readonly versions: readonly VersionDef[];
  /** Per version name, since fields move between versions. */
  readonly printerColumns?: Readonly<Record<string, readonly PrinterColumn[]>>;
}

const conv = <T, H>(c: { toHub: (o: T, n: Loss[]) => H; fromHub: (h: H, n: Loss[]) => T }) => ({
  toHub: c.toHub as unknown as Converter,
  fromHub: c.fromHub as unknown as Converter,
});

const splitColumns: PrinterColumn[] = [
  { name: 'Service', type: 'string', jsonPath: '.spec.service', description: 'The root service of this split.' },
];
const ttColumns = (prefix: string): PrinterColumn[] => [
  { name: 'Destination', type: 'string', jsonPath: `${prefix}.destination.name`, description: 'The destination ServiceAccount.' },
];

export const KINDS: readonly KindDef[] = [
  {
    group: 'access.smi-spec.io', kind: 'TrafficTarget', plural: 'traffictargets', singular: 'traffictarget', shortNames: ['tt'], crd: true,
    versions: [
      { version: 'v1alpha1', schema: accessV1.TrafficTarget, ...conv(accessConv.v1alpha1) },
      { version: 'v1alpha2', schema: accessV2.TrafficTarget, ...conv(accessConv.v1alpha2) },
      { version: 'v1alpha3', schema: accessV3.TrafficTarget },
    ],
    printerColumns: { v1alpha1: ttColumns(''), v1alpha2: ttColumns('.spec'), v1alpha3: ttColumns('.spec') },
  },
  {
    group: 'access.smi-spec.io', kind: 'IdentityBinding', plural: 'identitybindings', singular: 'identitybinding', shortNames: ['ib'], crd: true,
    versions: [{ version: 'v1alpha4', schema: accessV4.IdentityBinding, experimental: true }],
  },
  {
    group: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', plural: 'httproutegroups', singular: 'httproutegroup', shortNames: ['htr'], crd: true,
    versions: [
      { version: 'v1alpha1', schema: specsV1.HTTPRouteGroup, ...conv(specsConv.httpRouteGroup.v1alpha1) },
      { version: 'v1alpha2', schema: specsV2.HTTPRouteGroup, ...conv(specsConv.httpRouteGroup.v1alpha2) },
      { version: 'v1alpha3', schema: specsV3.HTTPRouteGroup, ...conv(specsConv.httpRouteGroup.v1alpha3) },
      { version: 'v1alpha4', schema: specsV4.HTTPRouteGroup },
    ],
  },
  {
    group: 'specs.smi-spec.io', kind: 'TCPRoute', plural: 'tcproutes', singular: 'tcproute', shortNames: ['tr'], crd: true,
    versions: [
      { version: 'v1alpha1', schema: specsV1.TCPRoute, ...conv(specsConv.tcpRoute.v1alpha1) },
      { version: 'v1alpha2', schema: specsV2.TCPRoute, ...conv(specsConv.tcpRoute.v1alpha2) },
      { version: 'v1alpha3', schema: specsV3.TCPRoute, ...conv(specsConv.tcpRoute.v1alpha3) },
      { version: 'v1alpha4', schema: specsV4.TCPRoute },
    ],
  },
  {
    group: 'specs.smi-spec.io', kind: 'UDPRoute', plural: 'udproutes', singular: 'udproute', shortNames: ['ur'], crd: true,
    versions: [{ version: 'v1alpha4', schema: specsV4.UDPRoute }],
  },
  {
    group: 'split.smi-spec.io', kind: 'TrafficSplit', plural: 'trafficsplits', singular: 'trafficsplit', shortNames: ['ts'], crd: true,
    versions: [
      { version: 'v1alpha1', schema: splitV1.TrafficSplit, ...conv(splitConv.v1alpha1) },
      { version: 'v1alpha2', schema: splitV2.TrafficSplit, ...conv(splitConv.v1alpha2) },
      { version: 'v1alpha3', schema: splitV3.TrafficSplit, ...conv(splitConv.v1alpha3) },
      { version: 'v1alpha4', schema: splitV4.TrafficSplit },
    ],
    printerColumns: { v1alpha1: splitColumns, v1alpha2: splitColumns, v1alpha3: splitColumns, v1alpha4: splitColumns },
  },
  {
    group: 'metrics.smi-spec.io', kind: 'TrafficMetrics', plural: 'trafficmetrics', singular: 'trafficmetrics', shortNames: [], crd: false,
    versions: [
      { version: 'v1alpha1', schema: metricsV1.TrafficMetrics, ...conv(metricsConv.trafficMetrics.v1alpha1) },
      { version: 'v1alpha2', schema: metricsV2.TrafficMetrics },
    ],
  },
  {
    group: 'metrics.smi-spec.io', kind: 'TrafficMetricsList', plural: 'trafficmetricslists', singular: 'trafficmetricslist', shortNames: [], crd: false,
    versions: [
      { version: 'v1alpha1', schema: metricsV1.TrafficMetricsList, ...conv(metricsConv.trafficMetricsList.v1alpha1) },
      { version: 'v1alpha2', schema: metricsV2.TrafficMetricsList },
    ],
  },
];

export const SMI_GROUPS: ReadonlySet<string> = new Set(KINDS.map((k) => k.group));

export function isSmiGroup(group: string): boolean {
  return SMI_GROUPS.has(group);
}

export function findKind(group: string, kind: string): KindDef | undefined {
  return KINDS.find((k) => k.group === group && k.kind === kind);
}

export function hubVersion(kind: KindDef): VersionDef {
  const hub = kind.versions[kind.versions.length - 1];
  if (hub === undefined) throw new Error(`kind ${kind.kind} has no versions`);
  return hub;
}

export function findVersion(kind: KindDef, version: string): VersionDef | undefined {
  return kind.versions.find((v) => v.version === version);
}

export function apiVersionOf(kind: KindDef, version: VersionDef): string {
  return `${kind.group}/${version.version}`;
}
