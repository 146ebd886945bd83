/**
 * A name typed on the command line must be one the input holds: a ServiceAccount, Service or
 * namespace it never mentions gets an error with the nearest names (exit 2), never a confident answer
 * about nothing. A Service where a ServiceAccount is meant (or the other way round) is named for what
 * it is, with the names that were probably meant.
 */
import { nearest } from '../api/names.js';
import { selects, servicesSelecting, workloadsOf } from '../policy/inventory.js';
import { identityKey, type Identity, type PolicyModel } from '../policy/model.js';
import { UsageError } from './io.js';

const didYouMean = (names: readonly string[]): string => (names.length > 0 ? `; did you mean ${names.join(' or ')}?` : '');

/** Every namespace the input mentions (in or out of smi's scope). */
const namespacesOf = (model: PolicyModel): Set<string> => new Set([...model.scope.why.keys(), ...model.scope.namespaces]);

function serviceAccountsBehind(model: PolicyModel, key: string): string[] {
  const service = model.inventory.services.get(key);
  if (!service) return [];
  return [...new Set(model.inventory.workloads.filter((w) => w.namespace === service.namespace && selects(service.selector, w.labels)).map((w) => `${w.namespace}/${w.serviceAccount}`))].sort();
}

/** A ServiceAccount the input holds (an inventory object, a workload's, or one a TrafficTarget names). */
export function requireIdentity(model: PolicyModel, flag: string, identity: Identity): void {
  const key = identityKey(identity);
  const known = new Set(model.identities.map(identityKey));
  if (known.has(key)) return;
  if (model.inventory.services.has(key)) {
    const behind = serviceAccountsBehind(model, key);
    throw new UsageError(`${flag} ${key}: that is a Service, and ${flag} names a ServiceAccount (SMI grants access to identities)${behind.length > 0 ? `: its pods run as ${behind.join(', ')}` : ', and no pod in the input is behind it'}`);
  }
  const where = namespacesOf(model).has(identity.namespace) ? `no ServiceAccount ${key} is in the input` : `namespace ${identity.namespace} is not in the input`;
  throw new UsageError(`${flag} ${key}: ${where}${didYouMean(nearest(key, known))}`);
}

/** A Service the input holds, or the root of a TrafficSplit. */
export function requireService(model: PolicyModel, flag: string, service: Identity): void {
  const key = identityKey(service);
  const known = new Set([...model.inventory.services.keys(), ...model.splits.keys()]);
  if (known.has(key)) return;
  if (model.identities.some((i) => identityKey(i) === key)) {
    const fronting = servicesSelecting(model.inventory, workloadsOf(model.inventory, service.namespace, service.name)).map((s) => `${s.namespace}/${s.name}`);
    throw new UsageError(`${flag} ${key}: that is a ServiceAccount, and ${flag} names a Service${fronting.length > 0 ? `: the Services in front of its pods are ${fronting.join(', ')}` : ', and no Service in the input selects its pods'}`);
  }
  const where = namespacesOf(model).has(service.namespace) ? `no Service ${key} is in the input` : `namespace ${service.namespace} is not in the input`;
  throw new UsageError(`${flag} ${key}: ${where}${didYouMean(nearest(key, known))}`);
}
