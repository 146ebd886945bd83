/**
 * A deterministic, realistic cluster: namespaces of apps, each with Services, ServiceAccounts,
 * Deployments, route groups, TrafficTargets and TrafficSplits. `smiObjects` counts SMI objects only.
 */
import { stringify } from 'yaml';

// Seeded, so every run measures the same input.
import { seededRandom as random } from '../src/seeded-random.js';

export interface GeneratedCluster {
  readonly objects: Record<string, unknown>[];
  readonly smiObjects: number;
  readonly namespaces: string[];
  /** Apps per namespace: app i has ServiceAccount app-i, Services app-i, app-i-v1, app-i-v2. */
  readonly appsPerNamespace: number;
}

export function generateCluster(smiTarget = 10_000, seed = 42): GeneratedCluster {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const objects: Record<string, unknown>[] = [];
  const appsPerNamespace = 20;
  // Per namespace: 20 HTTPRouteGroups, 5 TCPRoutes, 5 UDPRoutes, 50 TrafficTargets, 20 TrafficSplits = 100.
  const namespaces = Array.from({ length: Math.ceil(smiTarget / 100) }, (_, i) => `team-${i}`);
  let smi = 0;
  for (const ns of namespaces) {
    for (let a = 0; a < appsPerNamespace; a++) {
      const app = `app-${a}`;
      objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: app, namespace: ns } });
      for (const suffix of ['', '-v1', '-v2']) {
        objects.push({
          apiVersion: 'v1', kind: 'Service', metadata: { name: `${app}${suffix}`, namespace: ns },
          spec: { selector: { app, ...(suffix ? { version: suffix.slice(1) } : {}) }, ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }] },
        });
      }
      for (const version of ['v1', 'v2']) {
        objects.push({
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${app}-${version}`, namespace: ns },
          spec: {
            selector: { matchLabels: { app, version } },
            template: { metadata: { labels: { app, version } }, spec: { serviceAccountName: app, containers: [{ name: app, image: 'example.com/app', ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }] } },
          },
        });
      }
    }
    for (let g = 0; g < 20; g++) {
      objects.push({
        apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: `routes-${g}`, namespace: ns },
        spec: {
          matches: [
            { name: 'read', pathRegex: `/api/v${g % 3}/items(/[0-9]+)?`, methods: ['GET', 'HEAD'] },
            { name: 'write', pathRegex: `/api/v${g % 3}/items`, methods: ['POST', 'PUT'], headers: { 'content-type': 'application/json.*' } },
            { name: 'metrics', pathRegex: '/metrics', methods: ['GET'] },
            { name: 'canary', headers: { 'x-canary': 'true|yes' } },
          ],
        },
      });
      smi++;
    }
    for (let t = 0; t < 5; t++) {
      objects.push({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: `tcp-${t}`, namespace: ns }, spec: { matches: { ports: [8080, 9090 + t] } } });
      objects.push({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: `udp-${t}`, namespace: ns }, spec: { matches: { ports: [5300 + t] } } });
      smi += 2;
    }
    for (let t = 0; t < 50; t++) {
      const destination = `app-${t % appsPerNamespace}`;
      const rules: Record<string, unknown>[] = [];
      if (rnd() < 0.3) rules.push({ kind: 'TCPRoute', name: `tcp-${t % 5}` });
      if (rnd() < 0.8) rules.push({ kind: 'HTTPRouteGroup', name: `routes-${t % 20}`, ...(rnd() < 0.6 ? { matches: [pick(['read', 'write', 'metrics'])] } : {}) });
      else rules.push({ kind: 'UDPRoute', name: `udp-${t % 5}` });
      const sources = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
        kind: 'ServiceAccount', name: `app-${Math.floor(rnd() * appsPerNamespace)}`, namespace: rnd() < 0.8 ? ns : pick(namespaces),
      }));
      objects.push({
        apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: `tt-${t}`, namespace: ns },
        spec: { destination: { kind: 'ServiceAccount', name: destination, namespace: ns }, rules, sources },
      });
      smi++;
    }
    for (let s = 0; s < appsPerNamespace; s++) {
      const app = `app-${s}`;
      const v2 = Math.floor(rnd() * 100);
      objects.push({
        apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: `${app}-rollout`, namespace: ns },
        spec: {
          service: app,
          ...(s % 4 === 0 ? { matches: [{ kind: 'HTTPRouteGroup', name: `routes-${s}` }] } : {}),
          backends: [{ service: `${app}-v1`, weight: 100 - v2 }, { service: `${app}-v2`, weight: v2 }],
        },
      });
      smi++;
    }
  }
  return { objects, smiObjects: smi, namespaces, appsPerNamespace };
}

export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}
