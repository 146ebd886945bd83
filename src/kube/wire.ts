/**
 * @kubernetes/client-node (de)serializes built-in kinds through its generated models, which name a
 * JSON field that is a reserved word with a leading underscore: NetworkPolicy's `ingress[].from` is
 * `_from` there. A plain object with `from` handed to KubernetesObjectApi loses the field on the way
 * out — a NetworkPolicy rule without `from` admits every source — and listed objects come back with
 * `_from`. These two functions translate at the edge, so everything else sees the wire format.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

const NETWORK_POLICY = (o: { apiVersion?: string; kind?: string }) => o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy';

type Rules = { ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };

function renameInRules<T extends KubernetesObject>(o: T, from: string, to: string): T {
  const spec = (o as { spec?: Rules }).spec;
  if (!NETWORK_POLICY(o) || !spec?.ingress?.some((r) => from in r)) return o;
  const ingress = spec.ingress.map((r) => {
    if (!(from in r)) return r;
    const { [from]: peers, ...rest } = r;
    return { ...rest, [to]: peers };
  });
  return { ...o, spec: { ...spec, ingress } } as T;
}

/** What KubernetesObjectApi must be given for `object` to reach the server as it is. */
export const toClientModel = <T extends KubernetesObject>(object: T): T => renameInRules(object, 'from', '_from');

/** An object as the server sent it, from what KubernetesObjectApi hands back (watch events are already so). */
export const fromClientModel = <T extends KubernetesObject>(object: T): T => renameInRules(object, '_from', 'from');
