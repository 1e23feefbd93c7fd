import { describe, expect, it } from 'vitest';
import { Rational } from './rational.js';

const r = Rational.of;

describe('Rational', () => {
  it('parses decimals and fractions exactly', () => {
    expect(r('0.1').plus(r('0.2')).compare(r('0.3'))).toBe(0);
    expect(r('2/3').toString()).toBe('2/3');
    expect(r('15/85').toString()).toBe('3/17');
    expect(r('-1.50').toString()).toBe('-3/2');
    expect(r('0.6667').times(r('3')).toFixed(4)).toBe('2.0001');
    expect(() => r('1e3')).toThrow('not a decimal number');
    expect(() => r('1/0')).toThrow('division by zero');
  });

  it('rounds half to even, once, at the digit asked for', () => {
    expect(r('0.125').toFixed(2)).toBe('0.12');
    expect(r('0.135').toFixed(2)).toBe('0.14');
    expect(r('0.1250001').toFixed(2)).toBe('0.13');
    expect(r('-0.125').toFixed(2)).toBe('-0.12');
    expect(r('-0.001').toFixed(2)).toBe('0.00');
    expect(r('2.5').toFixed(0)).toBe('2');
    expect(r('1019.5').dividedBy(r('600')).toFixed(6)).toBe('1.699167');
    expect(r('1/3').toFixed(6)).toBe('0.333333');
    expect(r('7').toFixed(2)).toBe('7.00');
  });

  it('orders, and takes max, min and sums', () => {
    expect(Rational.max(r('-1'), r('0'), r('1/3')).toString()).toBe('1/3');
    expect(Rational.min(r('0.75').times(r('695')), r('95')).toFixed(2)).toBe('95.00');
    expect(Rational.sum([r('0.10'), r('0.20'), r('0.30')]).toFixed(20)).toBe('0.60000000000000000000');
    expect(r('0').isZero()).toBe(true);
  });
});
