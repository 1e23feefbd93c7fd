/** Test helper: every file and directory under a lake with its size and modification time (to prove nothing changed). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const s = statSync(join(dir, entry));
    out[entry] = s.isDirectory() ? 'dir' : `${s.size}:${s.mtimeMs}`;
  }
  return out;
}
