/**
 * The run log summed up per layer for the metrics: runs by status, rows in and out, a histogram of durations, the
 * latest run and the latest success. Summed day by day; a day's sums are kept while the day read is the same object
 * (read-runs.ts keeps a day in memory while its listing does not change), so a scrape only sums the days that moved.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { Logger } from '../lib/log.js';
import { Histogram } from './prometheus-text.js';
import { readRunDays, type RunDay } from './read-runs.js';
import { runLayers, runStatuses, type RunLayer, type RunRecord, type RunStatus } from './run-record.js';

/** Seconds: a build of a few seconds in a stream up to an hour-long backfill. */
export const durationBounds = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export interface LayerRunStats {
  runs: Record<RunStatus, number>;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  durations: Histogram;
  /** The latest run that ran (skipped_locked runs are not outcomes), by end time. */
  last: RunRecord | null;
  /** The latest succeeded or unchanged run. */
  lastSuccess: RunRecord | null;
}

export type RunStats = Record<RunLayer, LayerRunStats>;

function emptyLayer(): LayerRunStats {
  return {
    runs: Object.fromEntries(runStatuses.map((s) => [s, 0])) as Record<RunStatus, number>,
    rowsIn: 0, rowsOut: 0, rowsRejected: 0, durations: new Histogram(durationBounds), last: null, lastSuccess: null,
  };
}

function emptyStats(): RunStats {
  return Object.fromEntries(runLayers.map((l) => [l, emptyLayer()])) as RunStats;
}

const later = (a: RunRecord | null, b: RunRecord | null) => (a === null ? b : b === null ? a : b.ended_at > a.ended_at ? b : a);

function addRun(stats: RunStats, run: RunRecord): void {
  const s = stats[run.layer];
  s.runs[run.status] += 1;
  s.rowsIn += run.rows_in ?? 0;
  s.rowsOut += run.rows_out ?? 0;
  s.rowsRejected += run.rows_rejected ?? 0;
  if (run.status === 'skipped_locked') return;
  s.durations.observe(run.duration_s);
  s.last = later(s.last, run);
  if (run.status !== 'failed') s.lastSuccess = later(s.lastSuccess, run);
}

function addStats(into: RunStats, from: RunStats): void {
  for (const layer of runLayers) {
    const a = into[layer];
    const b = from[layer];
    for (const status of runStatuses) a.runs[status] += b.runs[status];
    a.rowsIn += b.rowsIn;
    a.rowsOut += b.rowsOut;
    a.rowsRejected += b.rowsRejected;
    a.durations.merge(b.durations);
    a.last = later(a.last, b.last);
    a.lastSuccess = later(a.lastSuccess, b.lastSuccess);
  }
}

const dayStats = new WeakMap<RunDay, RunStats>();

export function statsOfRuns(runs: RunRecord[]): RunStats {
  const stats = emptyStats();
  for (const run of runs) addRun(stats, run);
  return stats;
}

export async function runStats(store: ObjectStore, logger?: Logger): Promise<RunStats> {
  const total = emptyStats();
  for (const day of await readRunDays(store, { logger })) {
    let stats = dayStats.get(day);
    if (stats === undefined) {
      stats = statsOfRuns(day.runs);
      dayStats.set(day, stats);
    }
    addStats(total, stats);
  }
  return total;
}
