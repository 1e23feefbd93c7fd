/** A silver table version: the files of each table, the bronze version it was built from, its counts and checks. */
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { TableLog } from '../lib/table-log.js';

export const silverTables = [
  'trades_history', 'trades_current', 'quarantine', 'orders', 'executions', 'fx_rates',
  'treasury_deals_history', 'treasury_deals_current', 'instruments_history', 'instruments_current',
  'counterparties_history', 'counterparties_current', 'positions_history', 'positions_current',
] as const;
export type SilverTable = (typeof silverTables)[number];

const fileSchema = z.object({ path: z.string(), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });

export const silverManifestSchema = z.object({
  format: z.literal(1),
  version: z.number().int().min(1),
  builtAt: z.string(),
  businessDate: z.string(),
  bronzeVersion: z.number().int().nonnegative(),
  rules: z.array(z.object({ id: z.string(), version: z.number().int() })),
  // Partial: a version written before a table existed has no files for it.
  tables: z.partialRecord(z.enum(silverTables), z.array(fileSchema)),
  counts: z.record(z.string(), z.object({ records: z.number(), accepted: z.number(), quarantined: z.number(), warned: z.number() })),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type SilverManifest = z.infer<typeof silverManifestSchema>;

export function silverLog(store: ObjectStore): TableLog<SilverManifest> {
  return new TableLog(store, 'silver', silverManifestSchema);
}
