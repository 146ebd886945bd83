/** The objects a validated input holds: SMI objects (with their hub form) and the Kubernetes inventory. */
import type { AnyObject } from './schema.js';
import type { KindDef } from './registry.js';
import type { Origin } from './document.js';
import type { FieldPath, Severity } from './diagnostic.js';

export interface SmiObject {
  readonly def: KindDef;
  /** The version as written. */
  readonly version: string;
  /** The object as written. */
  readonly object: AnyObject;
  /** The same object in the hub version: what every later stage reads. */
  readonly hub: AnyObject;
  /** The version a person last wrote (see convert.ts); differs from `object` only after conversions. */
  readonly truth: AnyObject;
  readonly namespace: string;
  readonly name: string;
  readonly origin: Origin;
  /** Maps a field path of the hub form to the same field in the document as written. */
  readonly sourcePath: (hubPath: FieldPath) => FieldPath;
}

/** A non-SMI document (Service, Deployment, …), kept for later stages. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly object: AnyObject;
  readonly origin: Origin;
}

/** How checks report: against a hub path of one object; the caller maps it to file:line:col. */
export type Report = (severity: Severity, code: string, hubPath: FieldPath, message: string, atKey?: boolean) => void;

export function objectLabel(o: { kind: string; namespace: string; name: string } | SmiObject): string {
  const kind = 'def' in o ? o.def.kind : o.kind;
  return `${kind}/${o.namespace}/${o.name}`;
}
