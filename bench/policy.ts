/**
 * Resolve a 10k-object policy and measure decisions per second on one core (aim ≥ 200k/s).
 * Run: npm run bench -- policy
 */
import { validateDocuments } from '../src/api/validate.js';
import { syntheticOrigin } from '../src/api/document.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { scopeOptions } from '../src/targets/registry.js';
import { decide } from '../src/policy/decide.js';
import { route } from '../src/policy/route.js';
import { httpParts, type AccessRequest, type RouteRequest } from '../src/policy/request.js';
import { generateCluster } from './generate.js';
import { seededRandom as random } from '../src/seeded-random.js';
import { medianMs } from './stats.js';

export function benchPolicy(): Record<string, number | string> {
  const cluster = generateCluster(10_000);
  const origin = syntheticOrigin('bench');
  const documents = cluster.objects.map((value) => ({ value, origin }));
  const validated = validateDocuments(documents);
  const resolveMs = medianMs(5, () => resolvePolicy(validated, { scope: scopeOptions() }));
  const model = resolvePolicy(validated, { scope: scopeOptions() });

  const rnd = random(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const app = () => `app-${Math.floor(rnd() * cluster.appsPerNamespace)}`;
  const paths = ['/api/v0/items', '/api/v1/items/42', '/api/v2/items', '/metrics', '/other', '/'];
  const destinations = [...model.destinations.values()];
  // Half the callers are real sources of a real TrafficTarget, so matches and regexes are exercised.
  const requests: AccessRequest[] = Array.from({ length: 200_000 }, (_, i) => {
    const ns = pick(cluster.namespaces);
    const protocol = rnd() < 0.8 ? 'http' : rnd() < 0.5 ? 'tcp' : 'udp';
    const granted = i % 2 === 0 ? pick(destinations) : undefined;
    const target = granted ? pick(granted.targets) : undefined;
    return {
      source: target ? pick(target.sources) : { namespace: rnd() < 0.9 ? ns : pick(cluster.namespaces), name: app() },
      destination: granted ? granted.identity : { namespace: ns, name: app() },
      protocol,
      port: pick([8080, 9090, 9091, 5300]),
      ...(protocol === 'http'
        ? { http: httpParts(pick(['GET', 'POST', 'PUT', 'DELETE']), pick(paths), rnd() < 0.3 ? [['content-type', 'application/json'], ['x-canary', 'yes']] : []) }
        : {}),
    } as AccessRequest;
  });
  let allowed = 0;
  const decideMs = medianMs(5, () => {
    allowed = 0;
    for (const r of requests) if (decide(model, r).allowed) allowed++;
  });
  const routes: RouteRequest[] = requests.slice(0, 100_000).map((r) => ({ service: r.destination, port: 8080, protocol: r.protocol, ...(r.http ? { http: r.http } : {}) }));
  const routeMs = medianMs(5, () => {
    for (const r of routes) route(model, r);
  });
  return {
    benchmark: 'policy: resolve + decide + route',
    smiObjects: cluster.smiObjects,
    inventoryObjects: cluster.objects.length - cluster.smiObjects,
    destinations: model.destinations.size,
    resolveMs: +resolveMs.toFixed(1),
    decisions: requests.length,
    allowedFraction: +(allowed / requests.length).toFixed(3),
    decisionsPerSecond: Math.round(requests.length / (decideMs / 1000)),
    routesPerSecond: Math.round(routes.length / (routeMs / 1000)),
    aim: 'decisions ≥ 200k/s on one core',
  };
}
