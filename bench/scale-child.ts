/**
 * One measurement of the scale benchmark, in its own process so its peak memory is its own:
 * node --import tsx bench/scale-child.ts <validate|translate|diff> <smi objects> [mesh]
 * (diff runs `smi diff -f FILE --mesh smi --mesh <mesh>` in this process.)
 * Prints {"ms": wall time of the operation, "maxRssMB": the process's peak resident memory}.
 */
import { parseText } from '../src/api/parse.js';
import { validateDocuments } from '../src/api/validate.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { yamlStreamChunks } from '../src/api/yaml-write.js';
import { findTarget, scopeOptions } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../src/targets/target.js';
import { main } from '../src/cli/main.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
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
if (op === 'diff') {
  // `smi diff` itself, as a person runs it (callers auto: telling above 50 identities), against SMI: reading the file included.
  const dir = mkdtempSync(join(tmpdir(), 'smi-scale-'));
  writeFileSync(join(dir, 'cluster.yaml'), text);
  let out = '';
  const code = await main(['diff', '-f', join(dir, 'cluster.yaml'), '--mesh', 'smi', '--mesh', mesh, ...(mesh === 'linkerd' ? ['--linkerd-default-policy', 'deny'] : [])], {
    io: { stdout: (t) => { out = (out + t).slice(-400); }, stderr: () => {}, readStdin: async () => Buffer.alloc(0) },
  });
  const summary = /compared (\d+) access and (\d+) route requests: (\d+) difference/.exec(out);
  detail = { exit: code, requests: Number(summary?.[1] ?? -1), routes: Number(summary?.[2] ?? -1), differ: Number(summary?.[3] ?? -1) };
} else {
  const validated = validateDocuments(parseText(text, 'scale.yaml').documents);
  if (op === 'translate') {
    const model = resolvePolicy(validated, { scope: scopeOptions() });
    const translation = findTarget(mesh)!.translate(model, OPTIONS[mesh] ?? DEFAULT_OPTIONS);
    // Written as `smi translate` writes it: in pieces, never the whole text at once.
    let outputBytes = 0;
    for (const chunk of yamlStreamChunks(translation.resources)) outputBytes += chunk.length;
    detail = { resources: translation.resources.length, outputBytes };
  } else detail = { smiObjects: validated.smi.length };
}
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ ms: Math.round(ms), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...detail }));
