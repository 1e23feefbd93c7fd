/**
 * Exact arithmetic for position keeping: numbers from events become scaled bigints once, at the boundary, and go back
 * to JSON numbers only when an event is written.
 * - Quantities: integers of 10^-8 units (`quantityScale`); a quantity with more decimals is rounded there.
 * - Prices: exactly the decimal a JSON number denotes (its shortest round-trip form), no rounding at all.
 * - Money: integers of the currency's minor unit (ISO 4217 exponent). A trade's consideration, quantity x price, is
 *   computed exactly and rounded once to minor units, half away from zero. Everything after that is integer sums.
 */

export const quantityScale = 8;

/** An exact decimal: `units` x 10^-scale. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** ISO 4217 minor-unit exponents other than 2. */
const minorUnitExceptions: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export function minorUnitDigits(currency: string): number {
  return minorUnitExceptions[currency] ?? 2;
}

/** The exact decimal a finite JSON number denotes, read from its shortest round-trip text (`1e-7`, `99.5`, ...). */
export function decimalOf(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (match === null) throw new RangeError(`cannot read ${value} as a decimal`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  let units = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

/** `value` x 10^scale rounded half away from zero: the value as an integer of 10^-scale units. */
export function toScaled(value: Decimal, scale: number): bigint {
  if (value.scale <= scale) return value.units * 10n ** BigInt(scale - value.scale);
  return divideRounded(value.units, 10n ** BigInt(value.scale - scale));
}

/** numerator / denominator rounded half away from zero; denominator > 0. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/** A quantity from an event, in 10^-8 units. */
export function quantityUnits(value: number): bigint {
  return toScaled(decimalOf(value), quantityScale);
}

/** quantity (10^-8 units) x price, rounded once to the currency's minor units. */
export function considerationMinor(quantity: bigint, price: number, currency: string): bigint {
  const p = decimalOf(price);
  const product: Decimal = { units: quantity * p.units, scale: quantityScale + p.scale };
  return toScaled(product, minorUnitDigits(currency));
}

/** The plain decimal text of `units` x 10^-scale: `-12.5`, `0.00000001`, `300`. */
export function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale === 0 ? '' : digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** To a JSON number, at the event boundary only: the nearest double to the exact value. */
export function toNumber(units: bigint, scale: number): number {
  return Number(formatScaled(units, scale));
}

export function formatQuantity(units: bigint): string {
  return formatScaled(units, quantityScale);
}

export function formatMoney(minor: bigint, currency: string): string {
  return formatScaled(minor, minorUnitDigits(currency));
}
