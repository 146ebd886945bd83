/**
 * One-shot reads of a cluster (no informers): every object of some kinds, cluster-wide or in given
 * namespaces. For commands that look once (`smi diff --live`, `smi impact`); the controller watches.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { typedItems, type WatchedKind } from '../api/watched-kinds.js';
import { fromClientModel } from './wire.js';

/** A kind the cluster does not serve (a mesh's CRDs not installed) reads as empty; other errors are thrown. */
function notServed(e: unknown): boolean {
  const code = (e as { code?: number; statusCode?: number }).code ?? (e as { statusCode?: number }).statusCode;
  return code === 404 || /404|could not find|not found/i.test(String((e as Error).message ?? e));
}

/** 429 (a CRD's storage still initializing, throttling) and 5xx pass; they are retried. */
function transient(e: unknown): boolean {
  const code = (e as { code?: number }).code;
  return code === 429 || (typeof code === 'number' && code >= 500) || /HTTP-Code: (429|5\d\d)/.test(String((e as Error).message ?? e));
}

async function withRetries<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (e) {
      if (i >= attempts || !transient(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** (i - 1))));
    }
  }
}

export async function listKinds(kc: KubeConfig, kinds: readonly WatchedKind[], options: { namespaces?: readonly string[]; labelSelector?: (k: WatchedKind) => string | undefined } = {}): Promise<Map<WatchedKind, KubernetesObject[]>> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out = new Map<WatchedKind, KubernetesObject[]>();
  await Promise.all(kinds.map(async (kind) => {
    const scopes = kind.namespaced && options.namespaces && options.namespaces.length > 0 ? options.namespaces : [undefined];
    const items: KubernetesObject[] = [];
    for (const ns of scopes) {
      try {
        const list = await withRetries(() => api.list(kind.apiVersion, kind.kind, ns, undefined, undefined, undefined, undefined, options.labelSelector?.(kind)));
        items.push(...typedItems(list.items, kind).map(fromClientModel));
      } catch (e) {
        if (!notServed(e)) throw e;
      }
    }
    out.set(kind, items);
  }));
  return out;
}
