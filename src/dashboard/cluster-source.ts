/**
 * The dashboard following a cluster: informers on the SMI kinds, the inventory and (without -n) the
 * Namespaces — never Secrets — and, a moment after each burst of changes, the state rebuilt from what
 * they hold and published to the page.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { validateClusterObjects, type ClusterObject } from '../api/cluster-objects.js';
import { Cache } from '../kube/cache.js';
import { INVENTORY_KINDS, NAMESPACE_KIND, smiKinds } from '../api/watched-kinds.js';
import { dashboardState, type DashboardSettings } from './state.js';
import { StateFeed, type StateSource } from './source.js';

export interface FollowedCluster {
  readonly source: StateSource;
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** How long to wait after a change for more before rebuilding. */
  readonly settleMs?: number;
  readonly onError?: (what: string, error: unknown) => void;
  /** Told after each rebuild, with how long it took. */
  readonly onRebuild?: (version: number, objects: number, ms: number) => void;
}

export async function followCluster(kc: KubeConfig, settings: DashboardSettings, options: FollowOptions = {}): Promise<FollowedCluster> {
  const namespaced = settings.namespaces !== undefined && settings.namespaces.length > 0;
  const kinds = [...smiKinds(), ...INVENTORY_KINDS, ...(namespaced ? [] : [NAMESPACE_KIND])];
  const cache = new Cache(kc, kinds, {
    ...(namespaced ? { namespaces: settings.namespaces } : {}),
    // SMI's CRDs may not be installed yet: the view starts empty and fills in when they are.
    optional: (k) => k.smi,
    onError: (k, e) => options.onError?.(`watching ${k.kind}`, e),
  });
  await cache.start();
  const build = () => dashboardState(validateClusterObjects(kinds.flatMap((k) => cache.list(k)) as ClusterObject[]), settings);
  const feed = new StateFeed(kc.getCurrentCluster()?.server ?? 'the cluster', true, build());

  let timer: NodeJS.Timeout | undefined;
  const rebuild = () => {
    timer = undefined;
    const started = performance.now();
    try {
      feed.publish(build());
      options.onRebuild?.(feed.current().version, cache.size(), performance.now() - started);
    } catch (e) {
      options.onError?.('rebuilding the view', e);
    }
  };
  const unsubscribe = cache.onChange(() => {
    timer ??= setTimeout(rebuild, options.settleMs ?? 150);
  });
  return {
    source: feed,
    stop: async () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      await cache.stop();
    },
  };
}
