/** Timing helpers: medians of runs after a warm-up; alternating runs so drift hits both sides alike. */
function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export function medianMs(runs: number, fn: () => void): number {
  fn();
  return median(Array.from({ length: runs }, () => time(fn)));
}

/** Medians of two workloads measured in alternation (a, b, a, b, …). */
export function pairedMedianMs(runs: number, a: () => void, b: () => void): [number, number] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(time(a));
    tb.push(time(b));
  }
  return [median(ta), median(tb)];
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
