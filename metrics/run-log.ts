/**
 * Writes the run log: `withRunLog` wraps one job run (ingest, silver, gold) and records its outcome in the lake, one
 * object per run (run-record.ts), whether the job succeeds or fails. The run log never changes the job's own result:
 * a failure to write it is logged and swallowed, and the job's error is rethrown as it was.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { compactClosedDays } from './compact-runs.js';
import { runKey, runLine, runRecordSchema, type RunLayer, type RunRecord, type RunStatus, type RunTrigger } from './run-record.js';

export interface RunLogOptions {
  layer: RunLayer;
  trigger: RunTrigger;
  /** The --business-date the run worked for. */
  businessDate?: string | null;
  logger?: Logger;
  clock?: () => number;
  /** Fold closed days of the run log after writing (default true; at most once per day and process). */
  compact?: boolean;
}

/** What a run did, for the run log. Counts left out are recorded as null. */
export interface RunOutcome {
  status: Exclude<RunStatus, 'failed'>;
  rowsIn?: number | null;
  rowsOut?: number | null;
  rowsRejected?: number | null;
  inputVersions?: Record<string, number | string | null>;
  outputVersion?: number | null;
  detail?: string | null;
}

/**
 * Runs `fn` and records the run. With `outcome`, `fn` returns the job's own result (returned unchanged) and
 * `outcome` says what it means for the run log; without, `fn` returns the outcome itself.
 */
export function withRunLog(store: ObjectStore, options: RunLogOptions, fn: () => Promise<RunOutcome>): Promise<RunOutcome>;
export function withRunLog<T>(store: ObjectStore, options: RunLogOptions, fn: () => Promise<T>, outcome: (result: T) => RunOutcome | Promise<RunOutcome>): Promise<T>;
export async function withRunLog<T>(store: ObjectStore, options: RunLogOptions, fn: () => Promise<T>, outcome?: (result: T) => RunOutcome | Promise<RunOutcome>): Promise<T> {
  const clock = options.clock ?? Date.now;
  const log = (options.logger ?? silentLogger).child({ module: 'run-log', layer: options.layer });
  const startedMs = clock();
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await recordRun(store, runRecord(options, startedMs, clock(), { status: 'failed', detail: errorName(err), error: safeErrorMessage(err) }), options, log);
    throw err;
  }
  let described: RunOutcome;
  try {
    described = outcome === undefined ? (result as RunOutcome) : await outcome(result);
  } catch (err) {
    log.warn({ err: safeErrorMessage(err) }, 'run log: could not describe the run; recorded without counts');
    described = { status: 'succeeded', detail: 'outcome unavailable' };
  }
  await recordRun(store, runRecord(options, startedMs, clock(), { ...described, error: null }), options, log);
  return result;
}

/** Writes one run record; never throws (a run log that cannot be written must not turn a job's result around). */
export async function recordRun(store: ObjectStore, run: RunRecord, options: Pick<RunLogOptions, 'compact' | 'clock'> = {}, log: Logger = silentLogger): Promise<boolean> {
  try {
    const parsed = runRecordSchema.parse(run);
    await store.put(runKey(parsed), runLine(parsed), { ifNoneMatch: '*', contentType: 'application/json' });
    log.debug({ runId: run.run_id, status: run.status }, 'run logged');
  } catch (err) {
    log.error({ err: safeErrorMessage(err), runId: run.run_id, status: run.status }, 'run log: writing the run failed; the job result stands');
    return false;
  }
  if (options.compact !== false) {
    try {
      await compactClosedDays(store, { now: (options.clock ?? Date.now)(), logger: log });
    } catch (err) {
      log.warn({ err: safeErrorMessage(err) }, 'run log: compacting closed days failed; trying again with a later run');
    }
  }
  return true;
}

function runRecord(options: RunLogOptions, startedMs: number, endedMs: number, o: Omit<RunOutcome, 'status'> & { status: RunStatus; error: string | null }): RunRecord {
  const count = (n: number | null | undefined) => (n === undefined || n === null || !Number.isFinite(n) ? null : Math.max(0, Math.round(n)));
  return {
    run_id: randomUUID(),
    layer: options.layer,
    trigger: options.trigger,
    status: o.status,
    // A date the job refused (e.g. 2026-02-30) must not cost the record of its failure.
    business_date: options.businessDate != null && isoDate.safeParse(options.businessDate).success ? options.businessDate : null,
    started_at: new Date(startedMs).toISOString(),
    ended_at: new Date(Math.max(endedMs, startedMs)).toISOString(),
    duration_s: Math.max(0, endedMs - startedMs) / 1000,
    rows_in: count(o.rowsIn),
    rows_out: count(o.rowsOut),
    rows_rejected: count(o.rowsRejected),
    input_versions: o.inputVersions ?? {},
    output_version: o.outputVersion ?? null,
    detail: o.detail ?? null,
    error: o.error,
    host: hostname(),
    pid: process.pid,
  };
}

const isoDate = z.iso.date();

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

const maxErrorChars = 2000;

/**
 * An error's message for the run log and the metrics: no stack, no credentials (URL user info, key=value secrets,
 * bearer tokens, AWS access key ids), at most 2000 characters.
 */
export function safeErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cleaned = message
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[redacted]@')
    .replace(/\b(password|passwd|secret|secret_?access_?key|session_?token|token|api_?key|authorization)(["']?\s*[=:]\s*["']?)(bearer\s+)?[^\s"',;&]+/gi, '$1$2[redacted]')
    .replace(/\bbearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted]');
  return cleaned.length > maxErrorChars ? `${cleaned.slice(0, maxErrorChars - 1)}…` : cleaned;
}
