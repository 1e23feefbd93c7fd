/** Deterministic pseudo-random numbers for the venue's house liquidity. */
import { mulberry32 } from '../sim/random.js';

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export const seededRandom = mulberry32;

/** FNV-1a hash of a string, to give each symbol its own stream from one seed. */
export function stringSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
