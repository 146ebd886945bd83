/**
 * One measurement of the scale benchmark, in its own process so its peak memory is its own:
 * node --import tsx bench/scale-child.ts <validate|translate|diff> <smi objects> [mesh]
 * Prints {"ms": wall time of the operation, "maxRssMB": the process's peak resident memory}.
 */
import { parseText } from '../src/api/parse.js';
import { validateDocuments } from '../src/api/validate.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { toYamlStream } from '../src/api/yaml-write.js';
import { findTarget, scopeOptions } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../src/targets/target.js';
import { probesByDestination } from '../src/policy/probes.js';
import { decide } from '../src/policy/decide.js';
import { workloadsOf } from '../src/policy/inventory.js';
import { generateCluster, toYaml } from './generate.js';

const OPTIONS: Record<string, TranslateOptions> = {
  linkerd: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' },
  'gateway-api': { ...DEFAULT_OPTIONS, authz: 'linkerd', linkerdDefaultPolicy: 'deny' },
  consul: { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' },
};

const [op = 'translate', size = '10000', mesh = 'istio'] = process.argv.slice(2);
const text = toYaml(generateCluster(Number(size)).objects);
const start = performance.now();
let detail: Record<string, number> = {};
const validated = validateDocuments(parseText(text, 'scale.yaml').documents);
if (op === 'translate' || op === 'diff') {
  const model = resolvePolicy(validated, { scope: scopeOptions() });
  const target = findTarget(mesh)!;
  const options = OPTIONS[mesh] ?? DEFAULT_OPTIONS;
  const translation = target.translate(model, options);
  if (op === 'translate') detail = { resources: translation.resources.length, outputBytes: toYamlStream(translation.resources).length };
  else {
    // smi diff --mesh smi --mesh <mesh>: every telling probe, asked of both.
    let requests = 0;
    let differ = 0;
    // One destination at a time, as `smi diff` streams them.
    for (const [destination, probes] of probesByDestination(model)) {
      const ws = workloadsOf(model.inventory, destination.namespace, destination.name);
      for (const r of probes) {
        requests++;
        const mesh = ws.map((w) => target.evaluateAccess(translation.resources, w, r, options, { inventory: model.inventory }));
        if (mesh.length > 0 && mesh.every((d) => d.allowed) !== decide(model, r).allowed) differ++;
      }
    }
    detail = { requests, differ };
  }
} else detail = { smiObjects: validated.smi.length };
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ ms: Math.round(ms), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...detail }));
