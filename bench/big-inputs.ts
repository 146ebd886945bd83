/**
 * Big inputs: a 10k-object cluster dump through what `smi translate --mesh istio` does, as a YAML
 * stream and as `kubectl get -o json` writes it (one List), out as YAML and as JSON. Reading and
 * writing are timed apart, beside their floors in the same run: JSON.parse and JSON.stringify of the
 * same text and objects. Also timed: the first position asked inside the dump (a diagnostic pointing
 * at one object), which the quick path works out only then. The file uses only functions older
 * versions have too (parseText, toYamlStream, toJson), so the same file measures before and after.
 * Run: npm run bench -- big-inputs
 */
import { parseText } from '../src/api/parse.js';
import { validateDocuments } from '../src/api/validate.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { toJson } from '../src/cli/format.js';
import { toYamlStream } from '../src/api/yaml-write.js';
import { findTarget, scopeOptions } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../src/targets/target.js';
import { generateCluster, toYaml } from './generate.js';
import { medianMs } from './stats.js';

export function benchBigInputs(runs = 3): Record<string, unknown> {
  const cluster = generateCluster(10_000);
  const yamlText = toYaml(cluster.objects);
  const jsonText = JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: cluster.objects }, null, 4);
  const istio = findTarget('istio')!;
  const translate = (text: string, file: string) => istio.translate(resolvePolicy(validateDocuments(parseText(text, file).documents), { scope: scopeOptions() }), DEFAULT_OPTIONS).resources;
  const resources = translate(yamlText, 'dump.yaml');
  const ms = (f: () => void) => +medianMs(runs, f).toFixed(0);
  const last = cluster.objects.length - 1;
  const firstPosition = (text: string, file: string) => ms(() => {
    const docs = parseText(text, file).documents;
    docs[last]!.origin.locate(['metadata', 'name']);
  }) - ms(() => void parseText(text, file));
  return {
    benchmark: 'big inputs: a 10k-object cluster dump through smi translate (istio)',
    documents: cluster.objects.length,
    inputMegabytes: { yaml: +(yamlText.length / 1e6).toFixed(1), json: +(jsonText.length / 1e6).toFixed(1) },
    outputResources: resources.length,
    read: {
      yamlMs: ms(() => void parseText(yamlText, 'dump.yaml')),
      jsonMs: ms(() => void parseText(jsonText, 'dump.json')),
      jsonParseFloorMs: ms(() => void JSON.parse(jsonText)),
      firstPositionInYamlMs: firstPosition(yamlText, 'dump.yaml'),
      firstPositionInJsonMs: firstPosition(jsonText, 'dump.json'),
    },
    write: {
      yamlMs: ms(() => void toYamlStream(resources)),
      jsonMs: ms(() => void toJson(resources)),
      jsonStringifyFloorMs: ms(() => void JSON.stringify(resources)),
    },
    endToEnd: {
      yamlToYamlMs: ms(() => void toYamlStream(translate(yamlText, 'dump.yaml'))),
      jsonToJsonMs: ms(() => void toJson(translate(jsonText, 'dump.json'))),
    },
    aim: 'JSON read and written at JSON speed; YAML read and written ≥ 3× faster than before',
  };
}
