/**
 * Writes to the cluster: server-side apply under smi's field manager, deletes, status patches and
 * Events. 409 Conflict and 5xx answers are retried with backoff here; anything else is the caller's.
 */
import { fromClientModel, toClientModel } from './wire.js';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

export const FIELD_MANAGER = 'smi-controller';

export function httpStatus(e: unknown): number | undefined {
  const x = e as { code?: unknown; statusCode?: unknown };
  return typeof x?.code === 'number' ? x.code : typeof x?.statusCode === 'number' ? x.statusCode : undefined;
}

const retryable = (e: unknown): boolean => {
  const s = httpStatus(e);
  return s === undefined || s === 409 || s === 429 || s >= 500;
};

export async function withRetry<T>(what: () => Promise<T>, attempts = 5, baseMs = 50): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await what();
    } catch (e) {
      if (i + 1 >= attempts || !retryable(e)) throw e;
      await new Promise((r) => setTimeout(r, baseMs * 2 ** i));
    }
  }
}

export interface Writes {
  applies: number;
  deletes: number;
  statuses: number;
  events: number;
}

/** What the controller writes through: the API server (Writer), or anything speaking the same calls. */
export interface ClusterWriter {
  readonly writes: Writes;
  apply(object: KubernetesObject): Promise<KubernetesObject>;
  delete(object: KubernetesObject): Promise<void>;
  /** Resolves to the object's resourceVersion after the write, where the server says it. */
  applyStatus(object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }, plural: string, status: unknown): Promise<string | undefined>;
  event(involved: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid?: string } }, type: 'Normal' | 'Warning', reason: string, message: string, name: string): Promise<void>;
}

export class Writer implements ClusterWriter {
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  readonly writes: Writes = { applies: 0, deletes: 0, statuses: 0, events: 0 };

  constructor(kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async apply(object: KubernetesObject): Promise<KubernetesObject> {
    const out = await withRetry(() => this.objects.patch(toClientModel(object), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    this.writes.applies++;
    return fromClientModel(out);
  }

  async delete(object: KubernetesObject): Promise<void> {
    try {
      await withRetry(() => this.objects.delete(object, undefined, undefined, undefined, undefined, 'Background'));
      this.writes.deletes++;
    } catch (e) {
      if (httpStatus(e) !== 404) throw e;
    }
  }

  /** Applies the status of an SMI object (its status subresource) under smi's field manager. */
  async applyStatus(object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }, plural: string, status: unknown): Promise<string | undefined> {
    const [group = '', version = ''] = object.apiVersion.split('/');
    const body = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace }, status };
    const out: unknown = await withRetry(() =>
      this.custom.patchNamespacedCustomObjectStatus(
        { group, version, namespace: object.metadata.namespace, plural, name: object.metadata.name, body, fieldManager: FIELD_MANAGER, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    this.writes.statuses++;
    return (out as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
  }

  async event(involved: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid?: string } }, type: 'Normal' | 'Warning', reason: string, message: string, name: string): Promise<void> {
    const now = new Date();
    await withRetry(() =>
      this.core.createNamespacedEvent({
        namespace: involved.metadata.namespace,
        body: {
          metadata: { name, namespace: involved.metadata.namespace, labels: { 'app.kubernetes.io/managed-by': 'smi' } },
          involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: involved.metadata.namespace, ...(involved.metadata.uid ? { uid: involved.metadata.uid } : {}) },
          type, reason, message: message.slice(0, 1024), source: { component: FIELD_MANAGER },
          firstTimestamp: now, lastTimestamp: now, count: 1, reportingComponent: FIELD_MANAGER,
        },
      }),
    ).catch((e: unknown) => {
      if (httpStatus(e) !== 409) throw e; // the same event already exists
    });
    this.writes.events++;
  }
}
