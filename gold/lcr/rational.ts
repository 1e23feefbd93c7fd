/**
 * Exact rational numbers on bigint, for the LCR figures DuckDB sums and the cap formulas (15/85, 2/3) finish:
 * no binary float touches money. Rounding happens once, in `toFixed`, half to even.
 */
export class Rational {
  private constructor(readonly num: bigint, readonly den: bigint) {}

  static readonly zero = new Rational(0n, 1n);

  /** "123.45", "-0.5", "1e-3" is refused; "2/3" and "15/85" are fractions of two decimals. */
  static of(text: string): Rational {
    const slash = text.indexOf('/');
    if (slash >= 0) return Rational.of(text.slice(0, slash)).dividedBy(Rational.of(text.slice(slash + 1)));
    const match = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
    if (match === null) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = ''] = match;
    const num = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
    return Rational.make(num, 10n ** BigInt(fraction.length));
  }

  static fromBigInt(value: bigint): Rational {
    return new Rational(value, 1n);
  }

  private static make(num: bigint, den: bigint): Rational {
    if (den === 0n) throw new RangeError('division by zero');
    if (den < 0n) { num = -num; den = -den; }
    const g = gcd(num < 0n ? -num : num, den);
    return g === 1n ? new Rational(num, den) : new Rational(num / g, den / g);
  }

  plus(o: Rational): Rational { return Rational.make(this.num * o.den + o.num * this.den, this.den * o.den); }
  minus(o: Rational): Rational { return Rational.make(this.num * o.den - o.num * this.den, this.den * o.den); }
  times(o: Rational): Rational { return Rational.make(this.num * o.num, this.den * o.den); }
  dividedBy(o: Rational): Rational { return Rational.make(this.num * o.den, this.den * o.num); }
  compare(o: Rational): -1 | 0 | 1 {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  isZero(): boolean { return this.num === 0n; }

  static max(...values: Rational[]): Rational { return values.reduce((a, b) => (b.compare(a) > 0 ? b : a)); }
  static min(...values: Rational[]): Rational { return values.reduce((a, b) => (b.compare(a) < 0 ? b : a)); }
  static sum(values: Iterable<Rational>): Rational {
    let total = Rational.zero;
    for (const v of values) total = total.plus(v);
    return total;
  }

  /** The value rounded half to even to `digits` decimals, as a plain decimal string ("-0.00" is "0.00"). */
  toFixed(digits: number): string {
    const scale = 10n ** BigInt(digits);
    const negative = this.num < 0n;
    const scaled = (negative ? -this.num : this.num) * scale;
    let q = scaled / this.den;
    const twice = (scaled % this.den) * 2n;
    if (twice > this.den || (twice === this.den && q % 2n === 1n)) q += 1n;
    const text = q.toString().padStart(digits + 1, '0');
    const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
    return negative && q !== 0n ? `-${body}` : body;
  }

  toString(): string { return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`; }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
