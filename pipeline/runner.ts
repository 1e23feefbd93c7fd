/**
 * Running the layers as a data engineer does: once, on a cron schedule, or as a stream.
 * - Each layer run holds the lake lock of its layer (pipeline/lake-lock.ts): two runs of a layer never overlap, in one
 *   process or across machines; a run that finds the lock held is skipped and logged, not queued.
 * - A failing run is logged (the build records it in the run log, metrics.runs) and the scheduler or stream carries on:
 *   the next tick tries again.
 * - Stream: ingest consumes the bus continuously; every `intervalMs` the loop builds silver when bronze has a new version
 *   and gold when silver has one (or the business date changed), each incremental.
 * - Stopping (the AbortSignal, from SIGINT/SIGTERM): no new run starts; the run under way finishes (a layer build is
 *   write-then-publish, so abandoning one half way would leave nothing visible either), ingest lands or drops its
 *   open batch (offsets are committed only after a batch is durable), then everything closes.
 */
import cron from 'node-cron';
import type { ObjectStore } from '../store/object-store.js';
import { UsageError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { bronzeLog } from '../bronze/bronze-writer.js';
import { silverLog } from '../silver/manifest.js';
import { LakeLock, LockHeldError } from './lake-lock.js';

export type Layer = 'silver' | 'gold';
export const layersOf = (what: 'silver' | 'gold' | 'all'): Layer[] => (what === 'all' ? ['silver', 'gold'] : [what]);

export interface LayerOutcome {
  layer: Layer;
  status: 'succeeded' | 'unchanged' | 'failed' | 'skipped_locked';
  result?: unknown;
  error?: string;
}

/** Runs one layer's build; returns its result and whether it published. */
export type LayerBuild = (layer: Layer, context: { businessDate: string }) => Promise<{ published: boolean; result: unknown }>;

export interface RunnerOptions {
  store: ObjectStore;
  build: LayerBuild;
  /** Called when a layer's run is skipped because another run holds its lock (to log the skip). */
  onLocked?: (layer: Layer, businessDate: string) => Promise<void>;
  /** The business date of each run: fixed (--business-date), computed at each run, or today's UTC date then. */
  businessDate?: string | (() => string);
  lockLeaseMs?: number;
  logger?: Logger;
  clock?: () => number;
}

/** One run of each layer in order, each under its lock. A failed layer stops the layers after it (they would build on it). */
export async function runLayers(layers: Layer[], options: RunnerOptions): Promise<LayerOutcome[]> {
  const log = (options.logger ?? silentLogger).child({ module: 'runner' });
  const businessDate = dateOf(options);
  const outcomes: LayerOutcome[] = [];
  for (const layer of layers) {
    let lock: LakeLock;
    try {
      lock = await LakeLock.acquire({ store: options.store, name: layer, purpose: `run ${layer} ${businessDate}`, leaseMs: options.lockLeaseMs, logger: options.logger });
    } catch (err) {
      if (!(err instanceof LockHeldError)) throw err;
      log.warn({ layer, holder: err.holder }, `${layer} run skipped: another run holds the lock`);
      await options.onLocked?.(layer, businessDate).catch(() => undefined);
      outcomes.push({ layer, status: 'skipped_locked', error: err.message });
      break;
    }
    try {
      const { published, result } = await options.build(layer, { businessDate });
      outcomes.push({ layer, status: published ? 'succeeded' : 'unchanged', result });
    } catch (err) {
      log.error({ layer, businessDate, err: (err as Error).message }, `${layer} run failed`);
      outcomes.push({ layer, status: 'failed', error: (err as Error).message });
      break;
    } finally {
      await lock.release();
    }
  }
  return outcomes;
}

/** Validates a cron expression (5 or 6 fields), naming what is wrong. */
export function checkCron(expression: string): void {
  const detailed = cron.validateDetailed(expression);
  if (!detailed.valid) {
    const why = detailed.errors.map((e) => (typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e))).join('; ');
    throw new UsageError(`--schedule: ${JSON.stringify(expression)} is not a cron expression${why ? ` (${why})` : ''}; e.g. "*/15 * * * *" for every 15 minutes`);
  }
}

/**
 * Runs the layers on a cron schedule (UTC) until the signal aborts; a tick that comes while the previous run is still
 * going is skipped. Resolves once stopped and the run under way has finished.
 */
export async function runOnSchedule(layers: Layer[], expression: string, options: RunnerOptions & { signal: AbortSignal; onTick?: (outcomes: LayerOutcome[]) => void }): Promise<void> {
  checkCron(expression);
  const log = (options.logger ?? silentLogger).child({ module: 'scheduler' });
  // node-cron computes the ticks; the loop waits for each itself, so a run never overlaps the next tick's (a tick
  // that passes while a run is going is skipped) and stopping waits for the run under way.
  const task = cron.createTask(expression, () => undefined, { timezone: 'UTC', name: `lakehouse-${layers.join('-')}-${process.pid}` });
  const clock = options.clock ?? Date.now;
  try {
    log.info({ layers, schedule: expression, next: task.getNextRuns(1)[0]?.toISOString() }, 'scheduler started');
    while (!options.signal.aborted) {
      const [next] = task.getNextRuns(1);
      if (next === undefined) break;
      await sleep(Math.max(0, next.getTime() - clock()), options.signal);
      if (options.signal.aborted) break;
      try {
        // Not `onTick?.(await runLayers(...))`: an optional call skips evaluating its arguments when absent.
        const outcomes = await runLayers(layers, options);
        options.onTick?.(outcomes);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'scheduled run failed; the next tick retries');
      }
      // Past the tick's second, so that getNextRun gives the following one.
      const after = next.getTime() + 1000 - clock();
      if (after > 0) await sleep(after, options.signal);
    }
  } finally {
    await task.destroy();
  }
  log.info({}, 'scheduler stopped');
}

export interface StreamOptions extends RunnerOptions {
  signal: AbortSignal;
  /** How often the loop looks for new versions below (default 2000 ms). */
  intervalMs?: number;
  /** The continuous ingest (bus -> bronze), started once; resolves when it stops after the signal. */
  ingest?: () => Promise<unknown>;
  /** Versions of bronze and silver now; default the heads of the lake's table logs. */
  versions?: () => Promise<{ bronze: number | null; silver: number | null }>;
  onCycle?: (outcomes: LayerOutcome[]) => void;
}

/** Ingest continuously and rebuild silver and gold incrementally as new data is committed, until the signal aborts. */
export async function runStream(options: StreamOptions): Promise<void> {
  const log = (options.logger ?? silentLogger).child({ module: 'stream' });
  const intervalMs = options.intervalMs ?? 2_000;
  const ingest = options.ingest?.().catch((err: unknown) => {
    log.error({ err: (err as Error).message }, 'stream ingest stopped with an error');
  });
  const versions = options.versions ?? (async () => ({
    bronze: (await bronzeLog(options.store).latest())?.version ?? null,
    silver: (await silverLog(options.store).latest())?.version ?? null,
  }));
  let built = { bronze: null as number | null, silver: null as number | null, date: '' };
  while (!options.signal.aborted) {
    try {
      const now = await versions();
      const date = dateOf(options);
      const layers: Layer[] = [];
      if (now.bronze !== null && now.bronze !== built.bronze) layers.push('silver');
      if (layers.length > 0 || (now.silver !== null && (now.silver !== built.silver || date !== built.date))) layers.push('gold');
      if (layers.length > 0) {
        const outcomes = await runLayers(layers, { ...options, businessDate: date });
        options.onCycle?.(outcomes);
        if (outcomes.every((o) => o.status === 'succeeded' || o.status === 'unchanged')) {
          const after = await versions();
          built = { bronze: now.bronze, silver: after.silver, date };
          // Bronze moved on while this cycle ran: start the next one now rather than after a pause.
          if (after.bronze !== now.bronze) continue;
        }
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'stream cycle failed; retrying at the next interval');
    }
    await sleep(intervalMs, options.signal);
  }
  await ingest;
  log.info({}, 'stream stopped');
}

function dateOf(options: Pick<RunnerOptions, 'businessDate' | 'clock'>): string {
  const given = typeof options.businessDate === 'function' ? options.businessDate() : options.businessDate;
  return given ?? new Date((options.clock ?? Date.now)()).toISOString().slice(0, 10);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
