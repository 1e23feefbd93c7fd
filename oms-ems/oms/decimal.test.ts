import { describe, expect, it } from 'vitest';
import { add, compare, decimal, divide, multiply, shiftRight, subtract, toNumber, toText } from './decimal.js';

describe('decimal', () => {
  it('reads a number as the decimal it prints as, exponents included', () => {
    expect(decimal(99.1)).toEqual({ units: 991n, scale: 1 });
    expect(decimal(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(decimal(1.5e21)).toEqual({ units: 1_500_000_000_000_000_000_000n, scale: 0 });
    expect(decimal(-0.25)).toEqual({ units: -25n, scale: 2 });
    expect(() => decimal(Number.NaN)).toThrow(RangeError);
  });

  it('adds without binary rounding error', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toNumber(add(decimal(0.1), decimal(0.2)))).toBe(0.3);
    expect(toText(subtract(decimal(1), decimal(0.9)))).toBe('0.1');
  });

  it('multiplies and shifts exactly', () => {
    expect(toText(multiply(decimal(1.1), decimal(1.1)))).toBe('1.21');
    expect(toText(shiftRight(decimal(99.5), 2))).toBe('0.995');
  });

  it('compares across scales', () => {
    expect(compare(decimal(1.5), decimal(1.50001))).toBe(-1);
    expect(compare(decimal(2), { units: 200n, scale: 2 })).toBe(0);
    expect(compare(decimal(-1), decimal(-2))).toBe(1);
  });

  it('divides rounding half-even at the given places', () => {
    expect(toText(divide(decimal(1), decimal(3), 4))).toBe('0.3333');
    expect(toText(divide(decimal(2), decimal(3), 4))).toBe('0.6667');
    expect(toText(divide(decimal(0.125), decimal(1), 2))).toBe('0.12');
    expect(toText(divide(decimal(0.375), decimal(1), 2))).toBe('0.38');
    expect(toText(divide(decimal(-1), decimal(8), 2))).toBe('-0.12');
    expect(() => divide(decimal(1), decimal(0))).toThrow(RangeError);
  });
});
