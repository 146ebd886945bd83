/**
 * Percentages for meshes whose weights must sum to 100 (Istio, Consul): largest remainder, and
 * every non-zero share keeps at least 1 so no backend silently disappears.
 */
export interface Percentages {
  readonly percents: number[];
  /** The largest difference between a share and its percentage, in percentage points. */
  readonly maxError: number;
}

/**
 * Percentages with `decimals` places (Consul: 2) summing to exactly 100. Worked out in integer
 * units of 10^-decimals percent so the sum is exact whatever the float representation.
 */
export function toPercentages(weights: readonly number[], decimals = 0): Percentages {
  const scale = 10 ** decimals;
  const units = 100 * scale;
  const total = weights.reduce((s, w) => s + w, 0);
  if (total === 0) return { percents: weights.map(() => 0), maxError: 0 };
  const exact = weights.map((w) => (units * w) / total);
  const shares = exact.map((e, i) => ((weights[i] ?? 0) > 0 ? Math.max(1, Math.floor(e)) : 0));
  let left = units - shares.reduce((s, p) => s + p, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).filter(({ i }) => (weights[i] ?? 0) > 0).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) shares[order[k]!.i]! += 1;
  // Minimums can overshoot when many tiny weights exist: take back from the largest.
  while (left < 0) {
    const largest = shares.indexOf(Math.max(...shares));
    shares[largest]! -= 1;
    left++;
  }
  const maxError = Math.max(...exact.map((e, i) => Math.abs(e - (shares[i] ?? 0)))) / scale;
  return { percents: shares.map((u) => Number((u / scale).toFixed(decimals))), maxError };
}

/**
 * Integer weights under a ceiling (Gateway API: 1,000,000): unchanged when they fit,
 * otherwise scaled down keeping every non-zero weight at least 1.
 */
export function capWeights(weights: readonly number[], max: number): { weights: number[]; maxError: number } {
  const largest = Math.max(0, ...weights);
  if (largest <= max && weights.every(Number.isInteger)) return { weights: [...weights], maxError: 0 };
  const scale = Math.min(1, max / largest);
  const scaled = weights.map((w) => (w > 0 ? Math.max(1, Math.round(w * scale)) : 0));
  const total = weights.reduce((s, w) => s + w, 0);
  const totalScaled = scaled.reduce((s, w) => s + w, 0);
  const maxError = total === 0 ? 0 : Math.max(...weights.map((w, i) => Math.abs((100 * w) / total - (100 * (scaled[i] ?? 0)) / totalScaled)));
  return { weights: scaled, maxError };
}
