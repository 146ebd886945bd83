/**
 * Kubernetes resource quantities (TrafficSplit v1alpha1 weights such as `100m` or `1`), read exactly as
 * a decimal number: value = digits × 10^exponent. Binary suffixes (Ki, Mi…) are whole numbers.
 */
export interface Decimal {
  readonly digits: bigint;
  readonly exponent: number;
}

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, bigint> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** Parses a quantity; undefined when it is not one. */
export function parseQuantity(input: string | number): Decimal | undefined {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  if (text === undefined) return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign = '', num = '', suffix, exp] = m;
  const [whole = '', frac = ''] = num.split('.');
  let digits = BigInt((whole || '0') + frac) * (sign === '-' ? -1n : 1n);
  let exponent = -frac.length;
  if (exp !== undefined) exponent += Number(exp);
  else if (suffix !== undefined && suffix in BINARY_SUFFIX) digits *= BINARY_SUFFIX[suffix] ?? 1n;
  else exponent += DECIMAL_SUFFIX[suffix ?? ''] ?? 0;
  return normalise({ digits, exponent });
}

function numberText(n: number): string | undefined {
  return Number.isFinite(n) ? String(n) : undefined;
}

function normalise(d: Decimal): Decimal {
  if (d.digits === 0n) return { digits: 0n, exponent: 0 };
  let { digits, exponent } = d;
  while (digits % 10n === 0n) {
    digits /= 10n;
    exponent += 1;
  }
  return { digits, exponent };
}

export function isNegative(d: Decimal): boolean {
  return d.digits < 0n;
}

/**
 * Turns quantities into whole numbers in the same proportion, scaled so that `1` becomes 1000 (milli
 * units, the scale v1alpha1 examples use) unless a finer quantity needs a finer scale.
 */
export function toRelativeIntegers(values: readonly Decimal[]): bigint[] {
  const scale = Math.min(-3, ...values.map((v) => v.exponent));
  return values.map((v) => v.digits * 10n ** BigInt(v.exponent - scale));
}
