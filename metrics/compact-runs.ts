/**
 * Folds a closed day of the run log into one object, so that reading the log costs a few objects per day however many
 * runs a schedule or a stream makes. A day is closed an hour after it ends (runs are filed by the date they ended).
 * The fold is written as the day's next generation with a create-only put (two compactors: one wins, the other
 * stops), and only then are the objects it holds deleted; readers take the newest generation plus whatever loose
 * run it does not hold, so a run written late into a closed day is still read, and folded by a later compaction.
 */
import type { ObjectStore } from '../store/object-store.js';
import { PreconditionFailedError } from '../lib/errors.js';
import { mapLimited } from '../lib/concurrency.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { groupByDay, readEntries } from './read-runs.js';
import { compactedKey, dayPrefix, runLine } from './run-record.js';

/** How long after its end a day may still receive runs (clock skew between hosts, a slow last write). */
export const dayClosesAfterMs = 3_600_000;
const dayMs = 86_400_000;

/** Days compacted, or found with nothing to fold, by this process: each is looked at once. */
const settled = new Set<string>();

export interface CompactOptions {
  now?: number;
  /** How many days back to look (default 7). */
  lookbackDays?: number;
  logger?: Logger;
}

/** Compacts the closed days of the last `lookbackDays` not yet settled in this process. */
export async function compactClosedDays(store: ObjectStore, options: CompactOptions = {}): Promise<number> {
  const now = options.now ?? Date.now();
  const lookback = options.lookbackDays ?? 7;
  const today = Math.floor(now / dayMs) * dayMs;
  let folded = 0;
  for (let back = lookback; back >= 1; back--) {
    const start = today - back * dayMs;
    if (start + dayMs + dayClosesAfterMs > now) continue;
    const day = new Date(start).toISOString().slice(0, 10);
    const id = `${store.uri}|${day}`;
    if (settled.has(id)) continue;
    const result = await compactDay(store, day, options.logger);
    if (result !== 'changed') settled.add(id);
    if (typeof result === 'number') folded += result;
  }
  return folded;
}

/**
 * Folds one day: the number of loose runs folded, 'lost' when another compactor wrote the generation first, 'changed'
 * when the day changed while being read (try again later).
 */
export async function compactDay(store: ObjectStore, day: string, logger: Logger = silentLogger): Promise<number | 'lost' | 'changed'> {
  const entries = groupByDay(await store.list(dayPrefix(day))).get(day) ?? [];
  const generations = entries.flatMap((e) => (e.kind === 'compacted' ? [e] : [])).sort((a, b) => b.generation - a.generation);
  const loose = entries.flatMap((e) => (e.kind === 'run' ? [e] : []));
  const superseded = generations.slice(1).map((g) => g.key);
  if (loose.length > 0) {
    const runs = await readEntries(store, entries, logger);
    if (runs === null) return 'changed';
    const next = compactedKey(day, (generations[0]?.generation ?? 0) + 1);
    try {
      await store.put(next, runs.map(runLine).join(''), { ifNoneMatch: '*', contentType: 'application/x-ndjson' });
    } catch (err) {
      if (err instanceof PreconditionFailedError) return 'lost';
      throw err;
    }
    if (generations[0] !== undefined) superseded.push(generations[0].key);
    const held = new Set(runs.map((r) => r.run_id));
    superseded.push(...loose.filter((e) => held.has(e.runId)).map((e) => e.key));
    logger.info({ day, runs: runs.length, folded: loose.length, key: next }, 'run log: day compacted');
  }
  await mapLimited(superseded, 16, (key) => store.delete(key));
  return loose.length;
}
