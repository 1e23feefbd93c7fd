import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2.js';

// Values from the Java client's murmur2 (kafkajs's partitioner spec checks the same ones); the tail cases
// and non-ASCII keys were taken from kafkajs's DefaultPartitioner, which mirrors Java.
const known: [string, number][] = [
  ['0', 971027396], ['1', -1993445489], ['128', -326012175], ['2187', -1508407203], ['16384', -325739742],
  ['78125', -1654490814], ['279936', 1462227128], ['823543', -2014198330], ['2097152', 607668903],
  ['4782969', -1182699775], ['10000000', -1830336757],
  ['', 275646681], ['a', -1563381124], ['ab', 316155434], ['abc', 479470107],
  ['T-000001', -835038756], ['€uro', -1348700560], ['desk/FX:7', 1774846979],
];

describe('murmur2', () => {
  it.each(known)('hashes %j as Kafka does', (key, hash) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
  });

  it('picks the partition as the positive hash modulo the partition count', () => {
    expect(partitionForKey('1', 6)).toBe((-1993445489 & 0x7fffffff) % 6);
    expect(partitionForKey(Buffer.from('0'), 3)).toBe(971027396 % 3);
  });
});
