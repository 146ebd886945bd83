/**
 * What each mesh can carry of SMI, as a typed table every target declares (Target.features): the
 * conformance catalogue (test/conformance/) holds each target to it — a feature declared `full` must
 * give SMI's answer exactly on every case that needs it — and the docs and `smi explain` can read it.
 */
export type Feature = 'l4-grant' | 'http-route-grant' | 'http-regex-path' | 'http-header-match' | 'udp-grant' | 'weighted-split';

export const FEATURES: Readonly<Record<Feature, string>> = {
  'l4-grant': 'a TCPRoute grant: TCP (and HTTP) from the sources on the granted ports',
  'http-route-grant': 'an HTTPRouteGroup grant by method and literal path prefix',
  'http-regex-path': 'an HTTPRouteGroup grant whose pathRegex is a regular expression',
  'http-header-match': 'an HTTPRouteGroup grant that requires header values (regex)',
  'udp-grant': 'a UDPRoute grant, and UDP denied where none is granted',
  'weighted-split': 'a TrafficSplit: traffic to the root Service shared by weight',
};

export type Support = 'full' | 'partial' | 'none';

export interface FeatureSupport {
  readonly support: Support;
  /** What is lost, where support is not full (said by a diagnostic where it matters). */
  readonly note?: string;
}

export type FeatureTable = Readonly<Record<Feature, FeatureSupport>>;

export const full: FeatureSupport = { support: 'full' };
export const partial = (note: string): FeatureSupport => ({ support: 'partial', note });
export const none = (note: string): FeatureSupport => ({ support: 'none', note });

/** A target's feature table as the Markdown its doc page carries (docs/targets/<mesh>.md, kept equal by a test). */
export function featureTableMarkdown(table: FeatureTable): string {
  const rows = (Object.keys(FEATURES) as Feature[]).map((f) => `| ${FEATURES[f]} | ${table[f].support} | ${table[f].note ?? ''} |`);
  return ['| SMI feature | support | what is lost |', '|---|---|---|', ...rows].join('\n');
}
