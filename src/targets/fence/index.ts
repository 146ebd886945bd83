/**
 * --fence networkpolicy: a mesh target with NetworkPolicies beside its resources. A request passes
 * only if the fence lets it in and the mesh allows it (or does not see it): the fence only removes.
 */
import { workloadsOf } from '../../policy/inventory.js';
import { UNAUTHENTICATED } from '../../policy/request.js';
import { collectTranslation } from '../diagnostics.js';
import { sortResources } from '../naming.js';
import type { MeshDecision, MeshResource, Target, TranslateOptions } from '../target.js';
import { evaluateNetworkPolicies, type PeerPod } from './evaluate.js';
import { translateFence } from './network-policy.js';
import { NETWORK_POLICY, NETWORK_POLICY_API } from './types.js';
import { subsetOf } from '../resource-index.js';

const isFence = (r: { apiVersion: string; kind: string }) => r.apiVersion === NETWORK_POLICY_API && r.kind === 'NetworkPolicy';
const notFence = (r: MeshResource) => !isFence(r);

export function withFence(target: Target): Target {
  const fenceProfile = (options: TranslateOptions) => target.fenceProfile?.(options);
  const notes = fenceProfile({ trustDomain: '', clusterDomain: '' })?.notes;
  if (!notes) return target;
  return {
    ...target,
    fence: notes,
    // The fence lets in the pods of each source by their labels, read from the source's namespace.
    namespaceLocal: (options) => !options.fence && (target.namespaceLocal?.(options) ?? false),
    partition: (options) => (options.fence ? undefined : target.partition?.(options)),
    writes: [...target.writes, NETWORK_POLICY],
    writesWith: (options) => [...(target.writesWith?.(options) ?? target.writes), ...(options.fence ? [NETWORK_POLICY] : [])],
    translate(model, options) {
      const inner = target.translate(model, options);
      if (!options.fence) return inner;
      const fence = collectTranslation((report) => {
        if (options.enforcement === 'audit') {
          report(undefined, 'error', 'FENCE_IN_AUDIT', 'the NetworkPolicy fence enforces and has no audit mode, so it is not written with --enforcement audit');
          return [];
        }
        const profile = fenceProfile(options)!;
        const kept = [...profile.open, ...(profile.tcpWirePort ? [profile.tcpWirePort] : []), ...profile.tunnel];
        report(undefined, 'info', 'FENCE_MESH_PORTS', kept.length === 0 ? `the fence opens no port for ${target.name} itself: ${profile.notes[0] ?? ''}`
          : `the fence keeps open what ${target.name} needs: ${kept.map((p) => `${p.port} (${p.why})`).join('; ')}`);
        return translateFence(model, target.name, profile, report, target.fenceRelays?.(model, options) ?? []);
      });
      // The mesh's own "UDP is not enforced" no longer holds where the fence is written.
      const written = options.enforcement !== 'audit';
      const meshDiagnostics = inner.diagnostics.map((d) => (written && d.code.endsWith('_UDP_NOT_ENFORCED') ? { ...d, severity: 'info' as const, message: `${d.message.replace(/ \(add --fence networkpolicy[^)]*\)/, '')}; the NetworkPolicy fence decides UDP instead` } : d));
      return { resources: sortResources([...inner.resources, ...fence.resources]), diagnostics: [...meshDiagnostics, ...fence.diagnostics] };
    },
    evaluateAccess(resources, workload, request, options, context): MeshDecision {
      const mesh = target.evaluateAccess(subsetOf(resources, notFence), workload, request, options, context);
      const profile = fenceProfile(options);
      if (!options.fence || options.enforcement === 'audit' || !profile || mesh.unanswerable !== undefined) return mesh;
      const protocol = request.protocol === 'udp' ? 'UDP' : 'TCP';
      const port = protocol === 'TCP' && profile.tcpWirePort ? profile.tcpWirePort.port : request.port;
      const fences = subsetOf(resources, isFence);
      if (port === undefined) {
        const isolated = evaluateNetworkPolicies(fences, workload, { protocol, port: 0 }).isolated;
        return isolated ? { allowed: false, enforced: true, reasons: [], unanswerable: 'the fence decides per port: name the port' } : mesh;
      }
      const source = request.source;
      const from: PeerPod[] | undefined = source === UNAUTHENTICATED || !context ? undefined
        : workloadsOf(context.inventory, source.namespace, source.name).map((w) => ({ namespace: w.namespace, namespaceLabels: context.inventory.namespaces.get(w.namespace) ?? {}, labels: w.labels }));
      const fence = evaluateNetworkPolicies(fences, workload, { protocol, port, ...(from ? { from } : {}) });
      if (!fence.allowed) return { allowed: false, enforced: true, reasons: [`fence: ${fence.reasons.join('; ')}`] };
      if (!fence.isolated) return mesh;
      const reasons = [...mesh.reasons, `fence: ${fence.reasons.join('; ')}`];
      if (mesh.enforced) return { ...mesh, reasons };
      // The mesh does not see it: the fence's answer stands. On UDP that is all there is to decide;
      // on TCP the route-level part (methods, paths, headers) stays unjudged.
      return { allowed: true, enforced: protocol === 'UDP', reasons };
    },
  };
}
