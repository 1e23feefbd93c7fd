/**
 * One row of the run log: a job run (ingest, silver, gold) with its outcome, as written into the lake. Each run is an
 * object of its own under `_runs/dt=<UTC date it ended>/`, named `<start, compact ISO>-<layer>-<run id>.json` and
 * created with a create-only put, so writers never conflict and a day's folder stops changing once the day is over.
 * A closed day is folded into `_runs/dt=<date>/_compacted-<generation>.jsonl` (compact-runs.ts).
 */
import { z } from 'zod';

export const runLayers = ['ingest', 'silver', 'gold'] as const;
export const runTriggers = ['cli', 'schedule', 'stream', 'demo'] as const;
/** succeeded: published something; unchanged: ran, nothing new to publish; skipped_locked: another run of the layer held its lock. */
export const runStatuses = ['succeeded', 'unchanged', 'failed', 'skipped_locked'] as const;

export type RunLayer = (typeof runLayers)[number];
export type RunTrigger = (typeof runTriggers)[number];
export type RunStatus = (typeof runStatuses)[number];

const count = z.number().int().nonnegative().nullable();

export const runRecordSchema = z.object({
  run_id: z.string().regex(/^[0-9a-f-]{36}$/),
  layer: z.enum(runLayers),
  trigger: z.enum(runTriggers),
  status: z.enum(runStatuses),
  business_date: z.iso.date().nullable(),
  started_at: z.iso.datetime(),
  ended_at: z.iso.datetime(),
  duration_s: z.number().nonnegative(),
  /** ingest: records read; silver: new bronze records taken; gold: null (it reads silver as of a date). */
  rows_in: count,
  /** ingest: landed; silver: accepted among the records the build worked on; gold: exposures written. */
  rows_out: count,
  /** ingest: dead-lettered; silver: quarantined among the records the build worked on. */
  rows_rejected: count,
  /** The table versions the run read, by layer (ingest: bronze before it). */
  input_versions: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  /** The version of the run's own layer after it (published, or the one that stays current). */
  output_version: z.number().int().nullable(),
  /** What happened in a word: silver's and gold's reason, the error's class for a failure. */
  detail: z.string().nullable(),
  /** The error message of a failed run, secrets removed, no stack. */
  error: z.string().nullable(),
  host: z.string(),
  pid: z.number().int(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const runLogRoot = '_runs';

/** `2026-03-02T09:30:00.123Z` -> `20260302T093000.123Z`: sorts like the time, no ':' in object names. */
function compactIso(iso: string): string {
  return iso.replace(/[-:]/g, '');
}

export function runDay(iso: string): string {
  return iso.slice(0, 10);
}

export function dayPrefix(day: string): string {
  return `${runLogRoot}/dt=${day}/`;
}

export function runKey(run: Pick<RunRecord, 'run_id' | 'layer' | 'started_at' | 'ended_at'>): string {
  return `${dayPrefix(runDay(run.ended_at))}${compactIso(run.started_at)}-${run.layer}-${run.run_id}.json`;
}

export function compactedKey(day: string, generation: number): string {
  return `${dayPrefix(day)}_compacted-${String(generation).padStart(6, '0')}.jsonl`;
}

export type RunLogEntry =
  | { kind: 'run'; key: string; day: string; runId: string }
  | { kind: 'compacted'; key: string; day: string; generation: number };

/** What an object of the run log is, from its key; null for anything else under `_runs/`. */
export function parseRunLogKey(key: string): RunLogEntry | null {
  const m = /^_runs\/dt=(\d{4}-\d{2}-\d{2})\/(?:_compacted-(\d+)\.jsonl|\d{8}T[\d.]+Z-[a-z]+-([0-9a-f-]{36})\.json)$/.exec(key);
  if (m === null) return null;
  return m[2] !== undefined ? { kind: 'compacted', key, day: m[1], generation: Number(m[2]) } : { kind: 'run', key, day: m[1], runId: m[3] };
}

/** A run as one JSON line (loose objects and compacted days alike). */
export function runLine(run: RunRecord): string {
  return `${JSON.stringify(run)}\n`;
}
