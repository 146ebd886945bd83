/**
 * Load + validate 10k SMI objects (with their inventory) against the floor of only parsing the same
 * YAML with the same library, in one run.  Run: npm run bench -- api
 */
import { parseAllDocuments } from 'yaml';
import { parseText } from '../src/api/parse.js';
import { validateDocuments } from '../src/api/validate.js';
import { generateCluster, toYaml } from './generate.js';
import { pairedMedianMs } from './stats.js';

export function benchApiLoad(runs = 5): Record<string, number | string> {
  const cluster = generateCluster(10_000);
  const text = toYaml(cluster.objects);
  let errors = 0;
  const [floor, full] = pairedMedianMs(
    runs,
    () => {
      for (const doc of parseAllDocuments(text)) doc.toJS();
    },
    () => {
      const parsed = parseText(text, 'bench.yaml');
      const validated = validateDocuments(parsed.documents);
      errors = validated.diagnostics.filter((d) => d.severity === 'error').length;
    },
  );
  if (errors > 0) throw new Error(`the generated cluster should be valid, found ${errors} errors`);
  return {
    benchmark: 'api: load + validate',
    smiObjects: cluster.smiObjects,
    documents: cluster.objects.length,
    megabytes: +(text.length / 1e6).toFixed(1),
    parseOnlyMs: +floor.toFixed(0),
    loadValidateMs: +full.toFixed(0),
    objectsPerSecond: Math.round(cluster.objects.length / (full / 1000)),
    ratioToFloor: +(full / floor).toFixed(2),
    aim: '≤ 1.5',
  };
}
