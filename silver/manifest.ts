/**
 * A silver table version: the files of each table, the bronze files it was built from (its high-water mark), its
 * counts and checks. Keyed tables are split into buckets by a hash of the entity key, so that an incremental build
 * rewrites only the buckets whose keys it touched and carries the others over by reference.
 */
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { TableLog } from '../lib/table-log.js';

/** The tables analysts see (silver.* views). */
export const silverViewTables = [
  'trades_history', 'trades_current', 'quarantine', 'orders', 'executions', 'fx_rates',
  'treasury_deals_history', 'treasury_deals_current', 'instruments_history', 'instruments_current',
  'counterparties_history', 'counterparties_current', 'positions_history', 'positions_current',
] as const;
/**
 * Plus, internal: `records`, every record of the topics other than `trades` silver has taken from bronze, with its
 * entity key (append-only); `trades_index`, one row per `trades` record silver has taken: its position, where bronze
 * holds it, whether it passed the schema rules and the fields the trade store's rules read (append-only segments).
 */
export const silverTables = [...silverViewTables, 'records', 'trades_index'] as const;
export type SilverTable = (typeof silverTables)[number];

const fileSchema = z.object({
  path: z.string(), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(),
  /** Keyed tables: the bucket of the keys in the file; `records` and `quarantine` files hold one topic's rows. */
  bucket: z.number().int().nonnegative().optional(),
  topic: z.string().optional(),
  /**
   * trades_history is kept in parts: `current` (recorded_to and valid_to open: one row per live trade; the same files
   * are trades_current's), `open` (recorded_to open, valid_to closed) and `closed` (recorded_to closed: rows that never
   * change again unless a record arrives out of order, so they are appended). trades_index and closed rows come in
   * segments, one per build and bucket, merged once a bucket has many.
   */
  part: z.enum(['current', 'open', 'closed', 'deletes']).optional(),
  /**
   * The live parts (current, open) are merged on read (silver/trades-live.ts): a build appends the changed trades' live
   * rows as a segment, `seg` the version that wrote it, and a `deletes` file of (trade_id, _seg) hiding their rows in
   * older segments.
   */
  seg: z.number().int().nonnegative().optional(),
});
export type SilverFile = z.infer<typeof fileSchema>;

const countsSchema = z.object({ records: z.number(), accepted: z.number(), quarantined: z.number(), warned: z.number() });

export const silverManifestSchema = z.object({
  format: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  version: z.number().int().min(1),
  builtAt: z.string(),
  businessDate: z.string(),
  bronzeVersion: z.number().int().nonnegative(),
  /** The high-water mark: how many of bronze's record files (listed in commit order) this version has taken, the last one's name. */
  bronzeFiles: z.number().int().nonnegative().optional(),
  bronzeLastFile: z.string().nullable().optional(),
  /** Bronze's per-source watermarks (topic/partition, or file) at that point: what "processed up to" means. */
  highWaterMarks: z.record(z.string(), z.string()).optional(),
  /**
   * Per topic besides trades, the newest record timestamp silver holds (epoch microseconds): a build whose new records
   * of a topic all come later needs no held record's arrival to know that none arrived late.
   */
  recordsUpTo: z.record(z.string(), z.number()).optional(),
  buckets: z.number().int().positive().optional(),
  /** The rule actions other than the defaults the version was built with (a change means a full rebuild). */
  actions: z.record(z.string(), z.enum(['warn', 'quarantine', 'fail'])).optional(),
  rules: z.array(z.object({ id: z.string(), version: z.number().int() })),
  // Partial: a version written before a table existed has no files for it.
  tables: z.partialRecord(z.enum(silverTables), z.array(fileSchema)),
  /** Per topic, over everything silver holds. `warned` counts this build's records only. */
  counts: z.record(z.string(), countsSchema),
  /** Per topic, the records this build worked on (new ones, and those it took again for the keys they touch). */
  run: z.object({
    incremental: z.boolean(),
    newRecords: z.record(z.string(), z.number()),
    counts: z.record(z.string(), countsSchema),
  }).optional(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type SilverManifest = z.infer<typeof silverManifestSchema>;

export function silverLog(store: ObjectStore): TableLog<SilverManifest> {
  return new TableLog(store, 'silver', silverManifestSchema);
}
