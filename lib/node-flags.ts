/**
 * The Node flags the `lakehouse` command runs with: those on the first line of bin/lakehouse.js
 * (`#!/usr/bin/env -S node <flags>`), so that tests and benchmarks that start node themselves run as the command does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bin/lakehouse.js, from the compiled module (dist/lib/) or its source (lib/, under vitest). */
export const binPath = [new URL('../../bin/lakehouse.js', import.meta.url), new URL('../bin/lakehouse.js', import.meta.url)]
  .map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ?? fileURLToPath(new URL('../../bin/lakehouse.js', import.meta.url));

export function shippedNodeFlags(bin = binPath): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  const m = /^#!\S*env(?: -S)? node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (m === null) throw new Error(`${bin}: first line is not a node shebang: ${first}`);
  return m[1].split(' ').filter((f) => f !== '');
}
