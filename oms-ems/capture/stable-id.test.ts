import { describe, expect, it } from 'vitest';
import { derivedId, maxIdLength, stableId } from './stable-id.js';

describe('stableId', () => {
  it('joins readable parts with ":" and gives the same id every time', () => {
    expect(stableId('T:', ['XLON', 'E1'])).toBe('T:XLON:E1');
    expect(stableId('T:', ['XLON', 'E1'])).toBe(stableId('T:', ['XLON', 'E1']));
  });

  it('escapes ":" inside a part, so that different parts never give the same id', () => {
    expect(stableId('T:', ['A:B', 'C'])).not.toBe(stableId('T:', ['A', 'B:C']));
    expect(stableId('T:', ['A:B', 'C'])).toBe('T:A%3AB:C');
  });

  it('hashes parts that would make the id longer than the schemas allow', () => {
    const id = stableId('T:', ['V'.repeat(40), 'E'.repeat(40)]);
    expect(id.length).toBeLessThanOrEqual(maxIdLength);
    expect(id).toMatch(/^T:#[0-9a-f]+$/);
    expect(stableId('T:', ['V'.repeat(40), 'E'.repeat(41)])).not.toBe(id);
  });
});

describe('derivedId', () => {
  it('appends the number, and keeps it when the base must be hashed', () => {
    expect(derivedId('trade:', 'T:XLON:E1', 2)).toBe('trade:T:XLON:E1:2');
    const long = derivedId('je:', 'x'.repeat(64), 12);
    expect(long.length).toBeLessThanOrEqual(maxIdLength);
    expect(long).toMatch(/^je:#[0-9a-f]+:12$/);
  });
});
