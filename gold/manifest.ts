/**
 * Gold's commit log. Each `lakehouse run gold` that finds something new for its business date is a run: the
 * exposures, the LCR and its breakdowns for that date as silver knew them at `knownAt`, written once under a
 * directory of its own and never overwritten. A version of gold lists every run so far (so a restated date keeps its
 * earlier figures queryable) and, per date, the run that is current: the one with the latest knowledge time
 * (ties: the newer run). A run for an earlier knowledge time is kept but does not displace a later one.
 */
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { TableLog } from '../lib/table-log.js';

/** The tables each run writes (one Parquet file each). */
export const goldRunTables = ['liquidity_exposures', 'lcr', 'lcr_sums', 'hqla_levels'] as const;
export type GoldRunTable = (typeof goldRunTables)[number];

const fileSchema = z.object({ path: z.string(), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
export type GoldFile = z.infer<typeof fileSchema>;

export const goldRunSchema = z.object({
  /** The gold version that published this run; also its id. */
  version: z.number().int().min(1),
  asOfDate: z.iso.date(),
  /** What silver knew: ISO-8601 UTC. */
  knownAt: z.string(),
  /** Whether knownAt was asked for (--known-at) or was the time of the run. */
  knownAtGiven: z.boolean(),
  /** The newest record time among what the run read from silver, not after knownAt: what gold's freshness is measured from. */
  newestEventAt: z.string().nullable().optional(),
  computedAt: z.string(),
  seconds: z.number().nonnegative(),
  silverVersion: z.number().int().min(1),
  regime: z.object({ id: z.string(), version: z.string() }),
  internalLimit: z.string(),
  /** SHA-256 of the run's figures and exposures: a rerun that finds the same publishes nothing. */
  fingerprint: z.string(),
  /** How the exposures were hashed into the fingerprint (gold/build-gold.ts); absent: format 1. */
  fingerprintFormat: z.number().int().min(1).optional(),
  exposures: z.number().int().nonnegative(),
  entities: z.record(z.string(), z.object({ lcr: z.string().nullable(), hqla_total: z.string(), net_cash_outflows: z.string(), reporting_currency: z.string() })),
  /** The run this one restates (the date's current run before it), if any. */
  restates: z.number().int().min(1).nullable(),
  files: z.record(z.enum(goldRunTables), fileSchema),
});
export type GoldRun = z.infer<typeof goldRunSchema>;

export const goldManifestSchema = z.object({
  format: z.literal(1),
  version: z.number().int().min(1),
  builtAt: z.string(),
  runs: z.array(goldRunSchema),
  /** as_of_date -> the version of its current run. */
  current: z.record(z.string(), z.number().int().min(1)),
});
export type GoldManifest = z.infer<typeof goldManifestSchema>;

export function goldLog(store: ObjectStore): TableLog<GoldManifest> {
  return new TableLog(store, 'gold', goldManifestSchema);
}

/** The run that is current for its date once `run` joins `runs`: latest knowledge time, then newest. */
export function currentRuns(runs: GoldRun[]): Record<string, number> {
  const best = new Map<string, GoldRun>();
  for (const run of runs) {
    const held = best.get(run.asOfDate);
    if (held === undefined || Date.parse(run.knownAt) > Date.parse(held.knownAt) || (Date.parse(run.knownAt) === Date.parse(held.knownAt) && run.version > held.version)) {
      best.set(run.asOfDate, run);
    }
  }
  return Object.fromEntries([...best].sort(([a], [b]) => a.localeCompare(b)).map(([date, run]) => [date, run.version]));
}
