/**
 * How cost grows with the policy: validate, translate (per mesh) and diff (smi against each mesh) at
 * several sizes of the generated cluster (20 apps per namespace; a route group, target and split per
 * app), each measurement in its own process for its peak memory; and the growth ratio between the
 * two largest sizes (linear is their size ratio). Sizes: SMI_SCALE_SIZES (default 1000,10000);
 * add 100000 for the full figure (minutes per mesh).
 * Run: npm run bench -- scale
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const CHILD = resolve(import.meta.dirname, 'scale-child.ts');
const MESHES = ['istio', 'linkerd', 'gateway-api', 'consul', 'appmesh', 'cilium'];

function measure(op: string, size: number, mesh?: string): { ms: number; maxRssMB: number } & Record<string, number> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, op, String(size), ...(mesh ? [mesh] : [])], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as { ms: number; maxRssMB: number };
}

export function benchScale(): Record<string, unknown> {
  const sizes = (process.env.SMI_SCALE_SIZES ?? '1000,10000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
  const rows: Record<string, unknown>[] = [];
  const byKey = new Map<string, number[]>();
  const record = (key: string, size: number, m: { ms: number; maxRssMB: number } & Record<string, number>) => {
    rows.push({ what: key, smiObjects: size, ...m });
    byKey.set(key, [...(byKey.get(key) ?? []), m.ms]);
  };
  for (const size of sizes) {
    record('validate', size, measure('validate', size));
    for (const mesh of MESHES) record(`translate ${mesh}`, size, measure('translate', size, mesh));
    // diff is the slow one (#34 measured 440 s at 10k): only up to SMI_SCALE_DIFF_MAX objects (default none: it takes minutes at 1k).
    if (size <= Number(process.env.SMI_SCALE_DIFF_MAX ?? 0)) for (const mesh of ['istio', 'linkerd']) record(`diff smi ${mesh}`, size, measure('diff', size, mesh));
  }
  const [small, large] = sizes.slice(-2);
  const growth = small && large ? Object.fromEntries([...byKey].map(([k, ms]) => [k, +((ms.at(-1) ?? 0) / Math.max(1, ms.at(-2) ?? 1)).toFixed(1)])) : {};
  return { benchmark: 'scale: validate, translate per mesh, diff against smi', sizes, rows, growth: { between: [small, large], linear: small && large ? large / small : undefined, ratios: growth }, aim: 'growth ≤ 1.2 × linear; 100k translated in < 60 s and < 2 GB' };
}
