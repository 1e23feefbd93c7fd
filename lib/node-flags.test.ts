import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, shippedNodeFlags } from './node-flags.js';

describe('shippedNodeFlags', () => {
  it("reads the command's flags from the shebang of bin/lakehouse.js", () => {
    expect(binPath.endsWith(join('bin', 'lakehouse.js'))).toBe(true);
    expect(shippedNodeFlags()).toEqual(['--max-semi-space-size=64']);
  });

  it('reads none from a plain node shebang and refuses anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    const file = (name: string, first: string) => {
      writeFileSync(join(dir, name), `${first}\nconsole.log(1);\n`);
      return join(dir, name);
    };
    expect(shippedNodeFlags(file('plain.js', '#!/usr/bin/env node'))).toEqual([]);
    expect(shippedNodeFlags(file('two.js', '#!/usr/bin/env -S node --a=1 --b'))).toEqual(['--a=1', '--b']);
    expect(() => shippedNodeFlags(file('sh.js', '#!/bin/sh'))).toThrow(/not a node shebang/);
    rmSync(dir, { recursive: true, force: true });
  });
});
