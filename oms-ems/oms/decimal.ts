/**
 * Exact decimal arithmetic for quantities, prices and notionals. A number is read as the decimal it prints as (the
 * shortest text that round-trips, so `99.1` is 991/10, not the binary fraction nearest to it); sums and products are
 * then exact BigInts, and only a division (an average price) rounds, once, half-even, at a fixed number of places.
 * This keeps `0.1 + 0.2` from becoming 0.30000000000000004 in a filled quantity, and an average price from drifting
 * as fills accumulate.
 */
export interface Decimal {
  /** The value is `units / 10 ** scale`. */
  readonly units: bigint;
  readonly scale: number;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

const numberText = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

export function decimal(x: number): Decimal {
  if (Number.isSafeInteger(x)) return { units: BigInt(x), scale: 0 };
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const m = numberText.exec(String(x));
  if (!m) throw new RangeError(`unexpected number text: ${String(x)}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let units = BigInt(`${sign}${int}${frac}`);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.units, b.units, a.scale];
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** `a / 10 ** places`, exact. */
export function shiftRight(a: Decimal, places: number): Decimal {
  return { units: a.units, scale: a.scale + places };
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce(add, ZERO);
}

/** `a / b` rounded half-even to `places` decimal places. */
export function divide(a: Decimal, b: Decimal, places = 12): Decimal {
  if (b.units === 0n) throw new RangeError('division by zero');
  let numerator = a.units * 10n ** BigInt(b.scale + places);
  let denominator = b.units * 10n ** BigInt(a.scale);
  const negative = numerator < 0n !== denominator < 0n;
  if (numerator < 0n) numerator = -numerator;
  if (denominator < 0n) denominator = -denominator;
  let quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale: places };
}

export function toText(a: Decimal): string {
  const negative = a.units < 0n;
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const int = digits.slice(0, digits.length - a.scale);
  const frac = digits.slice(digits.length - a.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** The double nearest to the exact value: what a literal with the same digits would give. */
export function toNumber(a: Decimal): number {
  return Number(toText(a));
}
