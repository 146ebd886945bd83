/**
 * Translate 10k SMI objects (with their inventory) to each mesh, end to end as `smi translate` does
 * it (parse, validate, resolve, translate, emit YAML), against the floor of parsing the same input and
 * emitting the same output YAML with the same library, timed in alternation in one run.
 * Run: npm run bench -- translate
 */
import { parseAllDocuments } from 'yaml';
import { parseText } from '../src/api/parse.js';
import { validateDocuments } from '../src/api/validate.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { toYamlStream } from '../src/api/yaml-write.js';
import { findTarget, scopeOptions } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../src/targets/target.js';
import { generateCluster, toYaml } from './generate.js';
import { pairedMedianMs } from './stats.js';

const RUNS: { mesh: string; options: TranslateOptions }[] = [
  { mesh: 'istio', options: DEFAULT_OPTIONS },
  { mesh: 'linkerd', options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' } },
  { mesh: 'gateway-api', options: { ...DEFAULT_OPTIONS, authz: 'linkerd', linkerdDefaultPolicy: 'deny' } },
  { mesh: 'consul', options: { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' } },
  { mesh: 'appmesh', options: DEFAULT_OPTIONS },
];

export function benchTranslate(runs = 3): Record<string, unknown> {
  const cluster = generateCluster(10_000);
  const text = toYaml(cluster.objects);
  const results: Record<string, unknown>[] = [];
  for (const { mesh, options } of RUNS) {
    const target = findTarget(mesh)!;
    let resources = 0;
    let output = '';
    const full = () => {
      const validated = validateDocuments(parseText(text, 'bench.yaml').documents);
      const translation = target.translate(resolvePolicy(validated, { scope: scopeOptions() }), options);
      resources = translation.resources.length;
      output = toYamlStream(translation.resources);
    };
    full();
    const emitted = output;
    const outputObjects = parseAllDocuments(emitted).map((d) => d.toJS() as unknown);
    const [floor, total] = pairedMedianMs(
      runs,
      () => {
        for (const doc of parseAllDocuments(text)) doc.toJS();
        toYamlStream(outputObjects);
      },
      full,
    );
    results.push({
      mesh,
      resources,
      outputMegabytes: +(emitted.length / 1e6).toFixed(1),
      floorParseEmitMs: +floor.toFixed(0),
      translateMs: +total.toFixed(0),
      ratioToFloor: +(total / floor).toFixed(2),
    });
  }
  return { benchmark: 'translate: parse + validate + resolve + translate + emit', smiObjects: cluster.smiObjects, inputObjects: cluster.objects.length, inputMegabytes: +(text.length / 1e6).toFixed(1), results, aim: 'ratio ≤ 2' };
}
