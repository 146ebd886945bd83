/**
 * SMI objects at the version a cluster without smi's conversion webhook serves (the newest), converted
 * object by object as the webhook would: invalid objects stay as they are, for the controller to report.
 */
import { parseAllDocuments } from 'yaml';
import { apiVersionOf, hubVersion, KINDS } from '../../src/api/registry.js';
import { convertObject } from '../../src/api/convert.js';
import type { AnyObject } from '../../src/api/schema.js';
import { toYamlStream } from '../../src/api/yaml-write.js';

const HUB = new Map(KINDS.filter((k) => k.crd).map((k) => [`${k.group}/${k.kind}`, apiVersionOf(k, hubVersion(k))]));

export function toHub(o: Record<string, unknown>): Record<string, unknown> {
  const hub = HUB.get(`${String(o.apiVersion).split('/')[0]}/${String(o.kind)}`);
  if (!hub || hub === o.apiVersion) return o;
  const r = convertObject(o as AnyObject, hub);
  return r.ok ? (r.value.object as Record<string, unknown>) : o;
}

/** A YAML stream with every SMI object at its newest version. */
export const yamlAtHub = (text: string): string => toYamlStream(parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>).filter((o) => o !== null).map(toHub));
