/** Embedded event logs in temp dirs for a test file: `open()` makes one, `cleanup()` (in afterEach) closes and removes them. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../../../bus/event-log.js';

export function tempEventLogs(prefix: string) {
  const dirs: string[] = [];
  const logs: EventLog[] = [];
  return {
    async open(): Promise<EventLog> {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(dir);
      const log = new EventLog({ dir, pollIntervalMs: 10 });
      logs.push(log);
      return log;
    },
    async cleanup(): Promise<void> {
      await Promise.all(logs.splice(0).map((l) => l.close()));
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
