import { z } from 'zod';

/** One Parquet data file of a bronze table, as a committed version lists it. */
export const dataFileSchema = z.object({
  /** Key relative to the bronze root, e.g. `records/topic=trades/dt=2026-03-02/part-<batch>-0.parquet`. */
  path: z.string(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  topic: z.string().nullable(),
  dt: z.string().nullable(),
  batchId: z.string(),
});
export type DataFile = z.infer<typeof dataFileSchema>;

/**
 * A bronze version: the full list of live files of both tables and, per source position, the highest
 * ordinal landed (a Kafka/event-log offset, or a record file's line number). One commit covers the records
 * and dead letters of a batch together with its watermarks, so a batch is in bronze wholly or not at all.
 */
export const bronzeManifestSchema = z.object({
  format: z.literal(1),
  version: z.number().int().positive(),
  committedAt: z.string(),
  batchId: z.string().nullable(),
  tables: z.object({
    records: z.array(dataFileSchema),
    dead_letter: z.array(dataFileSchema),
  }),
  /** `kafka:<topic>/<partition>`, `eventlog:<topic>/<partition>` or `file:<sha256>` -> highest ordinal landed, decimal. */
  watermarks: z.record(z.string(), z.string()),
  totals: z.object({ records: z.number().int().nonnegative(), deadLettered: z.number().int().nonnegative() }),
});
export type BronzeManifest = z.infer<typeof bronzeManifestSchema>;

export function emptyBronzeManifest(): BronzeManifest {
  return { format: 1, version: 1, committedAt: '', batchId: null, tables: { records: [], dead_letter: [] }, watermarks: {}, totals: { records: 0, deadLettered: 0 } };
}
