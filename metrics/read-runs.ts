/**
 * Reads the run log: every day's compacted file (its newest generation) plus the loose run objects it does not hold
 * yet. A compaction may run meanwhile (it writes a new generation, then deletes what it folded in): an object listed
 * but gone when read means the day moved on, so the day is listed and read again.
 * Objects never change once written, so a day read once is kept in memory (per process) while its listing stays
 * the same; the cache is bounded by a number of runs.
 */
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { mapLimited } from '../lib/concurrency.js';
import { TransientError } from '../lib/errors.js';
import { dayPrefix, parseRunLogKey, runLogRoot, runRecordSchema, type RunLogEntry, type RunRecord } from './run-record.js';

export interface RunDay {
  day: string;
  /** Identifies the day's content: the keys listed. Equal signatures, equal runs. */
  signature: string;
  /** In start order. */
  runs: RunRecord[];
}

export interface ReadRunsOptions {
  /** Only runs started at or after this time (ISO-8601 or epoch ms). */
  since?: string | number;
  logger?: Logger;
}

/** Every run in the log (or since a time), in start order. */
export async function readRuns(store: ObjectStore, options: ReadRunsOptions = {}): Promise<RunRecord[]> {
  const sinceMs = options.since === undefined ? null : typeof options.since === 'number' ? options.since : Date.parse(options.since);
  const days = await readRunDays(store, { sinceDay: sinceMs === null ? undefined : new Date(sinceMs).toISOString().slice(0, 10), logger: options.logger });
  const runs = days.flatMap((d) => d.runs);
  return sinceMs === null ? runs : runs.filter((r) => Date.parse(r.started_at) >= sinceMs);
}

/** The run log day by day (days named by the date runs ended), oldest first. */
export async function readRunDays(store: ObjectStore, options: { sinceDay?: string; logger?: Logger } = {}): Promise<RunDay[]> {
  const log = options.logger ?? silentLogger;
  const byDay = groupByDay(await store.list(`${runLogRoot}/`));
  const days = [...byDay.keys()].filter((d) => options.sinceDay === undefined || d >= options.sinceDay).sort();
  return mapLimited(days, 4, (day) => readDay(store, day, byDay.get(day)!, log));
}

export function groupByDay(objects: { key: string }[]): Map<string, RunLogEntry[]> {
  const byDay = new Map<string, RunLogEntry[]>();
  for (const o of objects) {
    const entry = parseRunLogKey(o.key);
    if (entry === null) continue;
    if (!byDay.has(entry.day)) byDay.set(entry.day, []);
    byDay.get(entry.day)!.push(entry);
  }
  return byDay;
}

const maxAttempts = 5;

async function readDay(store: ObjectStore, day: string, listed: RunLogEntry[], log: Logger): Promise<RunDay> {
  let entries = listed;
  for (let attempt = 1; ; attempt++) {
    const signature = `${store.uri}|${entries.map((e) => e.key).join('|')}`;
    const cached = dayCache.get(`${store.uri}|${day}`);
    if (cached !== undefined && cached.signature === signature) {
      remember(`${store.uri}|${day}`, cached);
      return cached;
    }
    const runs = await readEntries(store, entries, log);
    if (runs !== null) {
      const read: RunDay = { day, signature, runs };
      remember(`${store.uri}|${day}`, read);
      return read;
    }
    if (attempt >= maxAttempts) throw new TransientError(`run log: day ${day} kept changing while being read`, { day });
    entries = groupByDay(await store.list(dayPrefix(day))).get(day) ?? [];
  }
}

/** The runs of a day's objects, or null when one of them is gone (compacted meanwhile). */
export async function readEntries(store: ObjectStore, entries: RunLogEntry[], log: Logger): Promise<RunRecord[] | null> {
  const compacted = entries.filter((e) => e.kind === 'compacted').sort((a, b) => b.generation - a.generation)[0];
  const runs = new Map<string, RunRecord>();
  if (compacted !== undefined) {
    const body = await store.get(compacted.key);
    if (body === null) return null;
    for (const run of parseLines(body.toString('utf8'), compacted.key, log)) runs.set(run.run_id, run);
  }
  const loose = entries.filter((e): e is Extract<RunLogEntry, { kind: 'run' }> => e.kind === 'run' && !runs.has(e.runId));
  const bodies = await mapLimited(loose, 16, (e) => store.get(e.key));
  if (bodies.some((b) => b === null)) return null;
  bodies.forEach((body, i) => {
    for (const run of parseLines(body!.toString('utf8'), loose[i].key, log)) runs.set(run.run_id, run);
  });
  return [...runs.values()].sort(byStart);
}

/** A malformed line is left out with a warning: one bad object must not hide the rest of the log. */
function parseLines(text: string, key: string, log: Logger): RunRecord[] {
  const out: RunRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      log.warn({ key }, 'run log: a line is not JSON; left out');
      continue;
    }
    const parsed = runRecordSchema.safeParse(json);
    if (parsed.success) out.push(parsed.data);
    else log.warn({ key, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'run log: a malformed run; left out');
  }
  return out;
}

/**
 * Changes when a run is logged: the count and last key of today's folder (runs are filed by the day they end, so new
 * ones land there; a compaction only refolds closed days). For a long-lived catalog deciding whether to reopen.
 */
export async function runLogStamp(store: ObjectStore, now: number = Date.now()): Promise<string> {
  const today = await store.list(dayPrefix(new Date(now).toISOString().slice(0, 10)));
  return `${today.length}|${today.at(-1)?.key ?? ''}`;
}

export function byStart(a: RunRecord, b: RunRecord): number {
  return a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0;
}

/** Days read, most recently used last; evicted oldest first beyond maxCachedRuns runs in all. */
const dayCache = new Map<string, RunDay>();
const maxCachedRuns = 200_000;
let cachedRuns = 0;

function remember(key: string, day: RunDay): void {
  const old = dayCache.get(key);
  if (old !== undefined) {
    cachedRuns -= old.runs.length;
    dayCache.delete(key);
  }
  dayCache.set(key, day);
  cachedRuns += day.runs.length;
  for (const [k, d] of dayCache) {
    if (cachedRuns <= maxCachedRuns || k === key) break;
    dayCache.delete(k);
    cachedRuns -= d.runs.length;
  }
}
