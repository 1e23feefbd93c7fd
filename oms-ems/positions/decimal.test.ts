import { describe, expect, it } from 'vitest';
import { considerationMinor, decimalOf, divideRounded, formatScaled, minorUnitDigits, quantityUnits, toNumber, toScaled } from './decimal.js';

describe('decimal', () => {
  it('reads a JSON number as the exact decimal it prints as', () => {
    expect(decimalOf(99.5)).toEqual({ units: 995n, scale: 1 });
    expect(decimalOf(0.1 + 0.2)).toEqual({ units: 30000000000000004n, scale: 17 });
    expect(decimalOf(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(decimalOf(1.5e21)).toEqual({ units: 1500000000000000000000n, scale: 0 });
    expect(decimalOf(-12)).toEqual({ units: -12n, scale: 0 });
    expect(() => decimalOf(Number.NaN)).toThrow(/not a finite number/);
  });

  it('rounds half away from zero, the same on both sides of zero', () => {
    expect(divideRounded(15n, 10n)).toBe(2n);
    expect(divideRounded(-15n, 10n)).toBe(-2n);
    expect(divideRounded(14n, 10n)).toBe(1n);
    expect(divideRounded(-14n, 10n)).toBe(-1n);
    expect(toScaled({ units: 1005n, scale: 3 }, 2)).toBe(101n);
  });

  it('keeps quantities to 10^-8 and rounds beyond', () => {
    expect(quantityUnits(1000)).toBe(100_000_000_000n);
    expect(quantityUnits(0.00000001)).toBe(1n);
    expect(quantityUnits(0.000000015)).toBe(2n);
  });

  it('rounds the consideration once, to the minor units of the currency', () => {
    expect(considerationMinor(quantityUnits(3), 0.335, 'USD')).toBe(101n); // 1.005 -> 1.01, not 1.00 as a float sum gives
    expect(considerationMinor(quantityUnits(1000), 99.5, 'USD')).toBe(9_950_000n);
    expect(considerationMinor(quantityUnits(7), 101.5, 'JPY')).toBe(711n); // 710.5
    expect(considerationMinor(quantityUnits(1), 1.2345, 'KWD')).toBe(1235n);
    expect(considerationMinor(quantityUnits(0.1), 0.2, 'EUR')).toBe(2n);
    expect([minorUnitDigits('USD'), minorUnitDigits('JPY'), minorUnitDigits('BHD'), minorUnitDigits('CLF')]).toEqual([2, 0, 3, 4]);
  });

  it('formats exactly and converts to a number only at the end', () => {
    expect(formatScaled(-1250n, 2)).toBe('-12.5');
    expect(formatScaled(1n, 8)).toBe('0.00000001');
    expect(formatScaled(300n, 0)).toBe('300');
    expect(formatScaled(0n, 2)).toBe('0');
    expect(toNumber(123456789012n, 2)).toBe(1234567890.12);
  });
});
