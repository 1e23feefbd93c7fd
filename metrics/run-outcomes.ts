/**
 * What each layer's job result means for the run log: `withRunLog(store, options, job, <layer>RunOutcome...)`.
 * Only types are taken from the layers; the silver outcome reads silver's manifest for the bronze version it read.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { SilverBuildResult } from '../silver/build-silver.js';
import type { GoldBuildResult } from '../gold/build-gold.js';
import type { IngestSummary } from '../ingest/file-ingest.js';
import { silverLog } from '../silver/manifest.js';
import type { RunOutcome } from './run-log.js';

const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

/**
 * rows_in: the new bronze records the build took; rows_out / rows_rejected: accepted / quarantined among the records
 * it worked on (the new ones and those taken again for the keys they touch).
 */
export function silverRunOutcome(store: ObjectStore): (result: SilverBuildResult) => Promise<RunOutcome> {
  return async (result) => {
    const manifest = result.version === null ? null : await silverLog(store).read(result.version);
    const worked = Object.values(result.run.counts);
    return {
      status: result.published ? 'succeeded' : 'unchanged',
      rowsIn: sum(result.run.newRecords),
      rowsOut: worked.reduce((a, c) => a + c.accepted, 0),
      rowsRejected: worked.reduce((a, c) => a + c.quarantined, 0),
      inputVersions: { bronze: manifest?.bronzeVersion ?? null },
      outputVersion: result.version,
      detail: result.reason,
    };
  };
}

/** rows_out: the exposures of the run published (0 when nothing was). */
export function goldRunOutcome(result: GoldBuildResult): RunOutcome {
  return {
    status: result.published ? 'succeeded' : 'unchanged',
    rowsIn: null,
    rowsOut: result.published ? result.run.exposures : 0,
    rowsRejected: null,
    inputVersions: { silver: result.run.silverVersion },
    outputVersion: result.version,
    detail: result.reason,
  };
}

/** rows_in: records read; rows_out: landed; rows_rejected: dead-lettered. `bronzeBefore/After`: the writer's version around the run. */
export function ingestRunOutcome(summary: IngestSummary, options: { source: string; bronzeBefore: number | null; bronzeAfter: number | null }): RunOutcome {
  const wrote = summary.landed + summary.dead_lettered > 0;
  return {
    status: wrote ? 'succeeded' : 'unchanged',
    rowsIn: summary.records,
    rowsOut: summary.landed,
    rowsRejected: summary.dead_lettered,
    inputVersions: { source: options.source, bronze: options.bronzeBefore },
    outputVersion: options.bronzeAfter,
    detail: wrote ? 'landed' : summary.already_landed > 0 ? 'already landed' : 'nothing new',
  };
}
