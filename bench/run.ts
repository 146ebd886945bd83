/** Runs the benchmarks named on the command line (all when none): npm run bench -- [api] [policy] [translate] [controller[:test-server[:<mesh>]|:kube-apiserver]] [webhooks] [metrics] [dashboard] [big-inputs] [scale] */
import { benchApiLoad } from './api-load.js';
import { benchPolicy } from './policy.js';
import { benchTranslate } from './translate.js';
import { benchController, BENCH_MESHES } from './controller.js';
import { benchWebhooks } from './webhooks.js';
import { benchMetrics } from './metrics.js';
import { benchDashboard } from './dashboard.js';
import { benchBigInputs } from './big-inputs.js';
import { benchScale } from './scale.js';

const BENCHES: Record<string, () => Record<string, unknown> | Promise<Record<string, unknown>>> = {
  api: () => benchApiLoad(),
  policy: () => benchPolicy(),
  translate: () => benchTranslate(),
  ...Object.fromEntries(Object.keys(BENCH_MESHES).map((mesh) => [`controller:test-server:${mesh}`, () => benchController('test-server', mesh)])),
  'controller:kube-apiserver': () => benchController('kube-apiserver', 'istio'),
  webhooks: () => benchWebhooks(),
  metrics: () => benchMetrics(),
  dashboard: () => benchDashboard(),
  'big-inputs': () => benchBigInputs(),
  scale: () => benchScale(),
};

// A name stands for every benchmark it prefixes: `controller` runs it on both servers.
const expand = (w: string): string[] => (BENCHES[w] ? [w] : Object.keys(BENCHES).filter((k) => k.startsWith(`${w}:`)));
const wanted = process.argv.slice(2).filter((a) => a !== '--').flatMap((w) => (expand(w).length > 0 ? expand(w) : [w]));
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(JSON.stringify(await bench(), null, 2));
}
