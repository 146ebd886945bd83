/**
 * The dashboard at scale: what one new version of the state costs (resolve, translate per mesh, the
 * view, where each mesh differs — every telling request asked of every mesh), and what the page
 * and /api/view weigh, for 1k and 10k SMI objects.
 * Run: npm run bench -- dashboard
 */
import { validateClusterObjects } from '../src/api/cluster-objects.js';
import { dashboardState } from '../src/dashboard/state.js';
import { dashboardView } from '../src/dashboard/view.js';
import { differenceSteps, shownMeshes, type DifferencesProgress, type MeshDifferences } from '../src/dashboard/differences.js';
import { renderPage } from '../src/dashboard/page.js';
import { findTarget } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../src/targets/target.js';
import { generateCluster } from './generate.js';

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function at(size: number): Record<string, number> {
  const cluster = generateCluster(size);
  const meshes = ['istio', 'linkerd'].map((m) => ({ target: findTarget(m)!, options: DEFAULT_OPTIONS }));
  const [input, validateMs] = timed(() => validateClusterObjects(cluster.objects as never));
  const [state, stateMs] = timed(() => dashboardState(input, { mode: 'strict', meshes }));
  let progress: DifferencesProgress = { done: 0, total: 0, requests: 0 };
  const [differences, differencesMs] = timed((): MeshDifferences[] => {
    const steps = differenceSteps(state.model, state.sides);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      progress = step.value.progress;
    }
  });
  const [view, viewMs] = timed(() => dashboardView(state.model, state.input, shownMeshes(state.sides), differences));
  const [page, pageMs] = timed(() => renderPage(view, {}, { source: { origin: 'bench', live: true, version: 1, at: '' } }));
  return {
    smiObjects: cluster.smiObjects,
    objects: cluster.objects.length,
    destinationsAsked: progress.total,
    requestsAskedPerMesh: progress.requests,
    validateMs: Math.round(validateMs),
    resolveAndTranslateMs: Math.round(stateMs),
    differencesMs: Math.round(differencesMs),
    differingDestinations: differences.reduce((n, m) => n + m.destinations.length, 0),
    viewMs: Math.round(viewMs),
    versionTotalMs: Math.round(validateMs + stateMs + differencesMs + viewMs),
    pageMs: Math.round(pageMs),
    pageKiB: Math.round(page.length / 1024),
    viewJsonKiB: Math.round(JSON.stringify(view).length / 1024),
    nodes: view.namespaces.reduce((n, ns) => n + ns.identities.length + ns.services.length, 0),
    edges: view.edges.length,
  };
}

export function benchDashboard(): Record<string, unknown> {
  return { benchmark: 'dashboard: one new version of the state (istio + linkerd selected)', sizes: (process.env.SMI_BENCH_SIZES ?? "1000,10000").split(",").map(Number).map(at) };
}
