/** Splits a list into runs of at most `size` (CRDs cap list lengths: Gateway API matches, rules). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
