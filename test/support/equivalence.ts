/**
 * The contract every target must keep, checked on one world: output valid against the mesh's CRDs,
 * deterministic; the mesh never allows what SMI denies; where it denies what SMI allows, or routes
 * differently, a diagnostic says so.
 *
 * A mesh that normalises the path (Envoy's normalize_path: `/a/../b` is `/b`) judges, and forwards to
 * the destination, the normalised request: SMI's answer it must keep is the one for that request.
 */
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { scopeOptions } from '../../src/targets/registry.js';
import { decide } from '../../src/policy/decide.js';
import { route } from '../../src/policy/route.js';
import { identityKey } from '../../src/policy/model.js';
import type { AccessRequest, RouteRequest } from '../../src/policy/request.js';
import type { Target, TranslateOptions } from '../../src/targets/target.js';
import type { CrdSchemas } from './crd-schemas.js';
import { validateYaml } from './inputs.js';
import { normalizedHttp } from '../../src/targets/envoy-path.js';
import type { World } from './worlds.js';

/** Kinds Kubernetes serves itself (no CRD): the real API server checks them in the e2e tests. */
const BUILT_IN = new Set(['networking.k8s.io/v1/NetworkPolicy', 'v1/Namespace']);

export interface Tally {
  worlds: number;
  allowedBoth: number;
  deniedBoth: number;
  narrowed: number;
  unenforced: number;
  routesCompared: number;
  routesExact: number;
  routesReported: number;
  /** Of the unenforced, those SMI denies (each with a diagnostic; with a fence, only finer than L4). */
  unenforcedDenied: number;
  /** Requests the mesh cannot judge as asked (no port, for meshes deciding per port). */
  unanswerable: number;
  /** Requests to destinations outside smi's scope: smi's resources must not change the mesh's answer there. */
  outOfScope: number;
}

export const newTally = (): Tally => ({ worlds: 0, allowedBoth: 0, deniedBoth: 0, narrowed: 0, unenforced: 0, unenforcedDenied: 0, routesCompared: 0, routesExact: 0, routesReported: 0, unanswerable: 0, outOfScope: 0 });

export function checkWorld(target: Target, schemas: CrdSchemas, world: World, requests: AccessRequest[], routes: RouteRequest[], options: TranslateOptions, tally: Tally): void {
  const validated = validateYaml(world.objects.map((o) => stringify(o)).join('---\n'));
  const model = resolvePolicy(validated, { mode: world.mode, scope: scopeOptions(world.scope) });
  const translation = target.translate(model, options);
  tally.worlds++;

  assert.equal(stringify(target.translate(model, options).resources), stringify(translation.resources), 'translation is not deterministic');
  for (const r of translation.resources) {
    if (!BUILT_IN.has(`${r.apiVersion}/${r.kind}`)) assert.deepEqual(schemas.problems(r), [], `${r.kind} ${r.metadata.namespace}/${r.metadata.name} does not fit the ${target.name} CRD:\n${stringify(r)}`);
    if (r.kind === 'Namespace') {
      // A namespace smi annotates or labels is not smi's: it writes those fields and nothing else.
      const keys = Object.keys(r.metadata);
      assert.ok(keys[0] === 'name' && keys.length > 1 && keys.slice(1).every((k) => k === 'annotations' || k === 'labels'), `Namespace ${r.metadata.name}: only annotations or labels, got ${keys.join(', ')}`);
      assert.ok(model.scope.namespaces.has(r.metadata.name), `smi annotates ${r.metadata.name}, outside its scope`);
    } else assert.equal(r.metadata.labels?.['app.kubernetes.io/managed-by'], 'smi', 'every resource is marked as smi-managed');
  }

  // Which destination each grant (a TrafficTarget, or an IngressBackend) names, to tie diagnostics to requests.
  const ttDestination = new Map<string, string>();
  for (const d of model.destinations.values()) for (const t of d.targets) ttDestination.set(`${t.ref.kind}/${t.ref.namespace}/${t.ref.name}`, identityKey(d.identity));
  const explained = (destination: string, request: AccessRequest) =>
    translation.diagnostics.some((d) => d.severity !== 'info' && (d.message.includes(destination) || (d.object !== undefined && ttDestination.get(d.object) === destination))) ||
    // Meshes that accept only mTLS refuse callers outside the mesh everywhere, and say so once.
    (request.source === 'unauthenticated' && translation.diagnostics.some((d) => d.severity !== 'info' && d.code.endsWith('_PLAINTEXT_REFUSED')));

  const context = { inventory: model.inventory };
  const view = target.pathView(options);
  for (const request of requests) {
    // What the destination receives through this mesh; a request the mesh refuses outright is skipped.
    const http = request.http && normalizedHttp(view, request.http);
    if (request.http && !http) continue;
    const decision = decide(model, http === request.http ? request : { ...request, ...(http ? { http } : {}) });
    const smi = decision.allowed;
    const destination = identityKey(request.destination);
    for (const w of model.inventory.workloads.filter((x) => x.namespace === request.destination.namespace && x.serviceAccount === request.destination.name)) {
      const mesh = target.evaluateAccess(translation.resources, w, request, options, context);
      if (decision.inScope === false) {
        // The blast radius: outside its scope, nothing smi wrote may change what the mesh decides.
        const untouched = target.evaluateAccess([], w, request, options, context);
        assert.deepEqual([mesh.allowed, mesh.enforced], [untouched.allowed, untouched.enforced],
          `smi's resources change the mesh's answer for ${destination}, outside smi's scope: with them ${mesh.reasons.join('; ')}; without ${untouched.reasons.join('; ')}\n${JSON.stringify(request)}\n${stringify(translation.resources)}`);
        tally.outOfScope++;
        continue;
      }
      if (mesh.unanswerable !== undefined) {
        tally.unanswerable++;
        continue;
      }
      const where = `${target.name} ${world.mode}: ${JSON.stringify({ ...request, http: request.http && { ...request.http, headers: [...request.http.headers] } })} at ${w.kind}/${w.name}\nSMI ${smi ? 'allows' : 'denies'}; mesh: ${mesh.reasons.join('; ')}\n${stringify(translation.resources)}`;
      if (!mesh.enforced) {
        tally.unenforced++;
        if (!smi) {
          tally.unenforcedDenied++;
          assert.ok(translation.diagnostics.some((d) => d.code.endsWith('_NOT_ENFORCED')), `unenforced traffic SMI denies, without a diagnostic: ${where}`);
          const unfenced = translation.diagnostics.some((d) => d.code === 'FENCE_DESTINATION_NOT_ENFORCED' && d.message.includes(`${destination}:`));
          if (options.fence && !unfenced) {
            // The fence decides L4 alone: what it leaves to the mesh is only finer than that — TCP or
            // HTTP from a caller SMI grants something on this destination. (Unless the destination's
            // pods share their labels with another identity's, and it said it left them alone.)
            assert.notEqual(request.protocol, 'udp', `the fence leaves UDP SMI denies unenforced: ${where}`);
            const granted = request.source !== 'unauthenticated' && model.destinations.get(destination)?.bySource.has(identityKey(request.source));
            assert.ok(granted, `the fence lets in a caller SMI grants nothing on ${destination}: ${where}`);
          }
        }
        continue;
      }
      assert.ok(!(mesh.allowed && !smi), `the mesh allows what SMI denies: ${where}`);
      if (smi && !mesh.allowed) {
        tally.narrowed++;
        assert.ok(explained(destination, request), `the mesh denies what SMI allows, and no diagnostic names ${destination}: ${where}\n${JSON.stringify(translation.diagnostics, null, 1)}`);
      } else if (smi) tally.allowedBoth++;
      else tally.deniedBoth++;
    }
  }

  for (const request of routes) {
    if (!model.scope.namespaces.has(request.service.namespace)) {
      // Outside the scope, smi's resources must not move traffic either.
      const withSmi = target.evaluateRoute(translation.resources, request, options).backends;
      const untouched = target.evaluateRoute([], request, options).backends;
      assert.deepEqual(withSmi, untouched, `smi's resources route ${request.service.namespace}/${request.service.name}, outside smi's scope\n${stringify(translation.resources)}`);
      tally.outOfScope++;
      continue;
    }
    const smi = route(model, request);
    if (smi.backends.length === 0) continue; // the root Service lacks the port: unroutable everywhere
    const mesh = target.evaluateRoute(translation.resources, request, options);
    const a = new Map(smi.backends.map((b) => [b.service, b.share]));
    const b = new Map(mesh.backends.map((x) => [x.service, x.share]));
    const context = `${target.name}: route ${JSON.stringify({ ...request, http: request.http && { ...request.http, headers: [...request.http.headers] } })}\nSMI ${JSON.stringify([...a])} mesh ${JSON.stringify([...b])} (${mesh.reasons.join('; ')})\n${stringify(translation.resources)}`;
    tally.routesCompared++;
    const sameBackends = JSON.stringify([...b.keys()].sort()) === JSON.stringify([...a.keys()].sort());
    if (!sameBackends && request.protocol !== 'http' && mesh.backends.length === 0) {
      // A mesh that had to make the service HTTP-only carries no raw TCP to it: allowed only when it said so for that service.
      const root = `${request.service.namespace}/${request.service.name}`;
      assert.ok(translation.diagnostics.some((d) => d.severity !== 'info' && d.code.endsWith('_SERVICE_HTTP_ONLY') && d.message.includes(`(${root})`)), `raw TCP not carried to ${root}, and no diagnostic says so: ${context}`);
      tally.routesReported++;
      continue;
    }
    if (!sameBackends && smi.split) {
      // Allowed only when the translation said, as an error on that split, that it left it out.
      const split = `TrafficSplit/${smi.split.namespace}/${smi.split.name}`;
      assert.ok(translation.diagnostics.some((d) => d.severity === 'error' && (d.code.endsWith('_SPLIT_NOT_EXPRESSED') || d.code.endsWith('_SPLIT_MATCH_NARROWED')) && d.object === split), `different backends, and no error on ${split}: ${context}`);
      tally.routesReported++;
      continue;
    }
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), `different backends: ${context}`);
    let exact = true;
    for (const [service, share] of a) {
      const diff = Math.abs(share - (b.get(service) ?? 0));
      if (diff > 1e-9) exact = false;
      assert.ok(diff <= 0.01 + 1e-9, `share of ${service} differs by ${diff}: ${context}`);
    }
    if (exact) tally.routesExact++;
    else assert.ok(translation.diagnostics.some((d) => d.code.endsWith('_WEIGHT_ROUNDED')), `rounded shares without a diagnostic: ${context}`);
  }
}
