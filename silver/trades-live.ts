/**
 * Merge-on-read of trades_history's live rows (recorded_to open: the `current` and `open` parts).
 *
 * A build that changes a trade does not write its bucket's live rows again. It appends, per bucket, a segment of the
 * trades' new live rows and a `deletes` file of (trade_id, _seg): the trades whose live rows in the bucket's older
 * segments are gone. A segment's `seg` (in the manifest) is the version that wrote it, so a row is live unless a delete
 * of its trade has a later `_seg`. Readers (the silver views, the next build's read of the open rows, compaction) apply
 * the deletes with one anti join. compactLive keeps it cheap to read: a bucket whose deletes pass a quarter of its rows
 * is written again whole, without deletes, and a bucket holding more than maxSegments segments of a part merges all but
 * its largest (with the deletes applied), as it does its deletes files.
 *
 * Files of a version written before segments existed (format 4 and earlier) have no `seg` and no deletes: they read as
 * they did.
 */
import { quotedList } from '../lib/duckdb.js';
import type { SilverFile } from './manifest.js';
import { maxSegments, type TableWriter } from './table-writer.js';

export interface LocalFile {
  file: SilverFile;
  local: string;
}

const isLive = (f: SilverFile) => f.part === 'current' || f.part === 'open';

/** Rows of live segments with their `_seg` column, less those a later delete hides; null without segments. */
function liveSegmentsSql(segments: LocalFile[], deletes: LocalFile[]): string | null {
  if (segments.length === 0) return null;
  const bySeg = new Map<number, string[]>();
  for (const s of segments) bySeg.set(s.file.seg ?? 0, [...(bySeg.get(s.file.seg ?? 0) ?? []), s.local]);
  const union = [...bySeg].sort((a, b) => a[0] - b[0])
    .map(([seg, paths]) => `SELECT *, ${seg}::INTEGER AS _seg FROM read_parquet(${quotedList(paths)})`).join('\n  UNION ALL ');
  if (deletes.length === 0) return union;
  return `SELECT s.* FROM (${union}) s
  ANTI JOIN read_parquet(${quotedList(deletes.map((d) => d.local))}) d ON d.trade_id = s.trade_id AND d._seg > s._seg`;
}

/**
 * A relation (parenthesized) of the rows of trades_history's or trades_current's files: their live segments with the
 * deletes applied and their other files (closed segments, an empty table's placeholder) as they are; null when none
 * of them is a table file.
 */
export function tradesRowsSql(files: LocalFile[]): string | null {
  const live = liveSegmentsSql(files.filter((f) => isLive(f.file)), files.filter((f) => f.file.part === 'deletes'));
  const plain = files.filter((f) => !isLive(f.file) && f.file.part !== 'deletes').map((f) => f.local);
  const parts = [
    ...(live === null ? [] : [`SELECT * EXCLUDE (_seg) FROM (${live})`]),
    ...(plain.length === 0 ? [] : [`SELECT * FROM read_parquet(${quotedList(plain)})`]),
  ];
  if (parts.length === 0) return null;
  return `(${parts.join('\nUNION ALL BY NAME ')})`;
}

/**
 * A bucket's live files (current and open segments, deletes) after a build added its own: written again whole when
 * its deletes pass a quarter of its segments' rows, else with the small segments of a part merged (and the deletes
 * files merged) once there are more than maxSegments of them. `local` gives the files' local paths.
 */
export async function compactLive(writer: TableWriter, local: (files: SilverFile[]) => Promise<string[]>, bucket: number, files: SilverFile[]): Promise<SilverFile[]> {
  const withLocal = async (fs: SilverFile[]) => (await local(fs)).map((l, i) => ({ file: fs[i], local: l }));
  const deletes = files.filter((f) => f.part === 'deletes');
  const deleted = deletes.reduce((n, f) => n + f.rows, 0);
  const segRows = files.filter(isLive).reduce((n, f) => n + f.rows, 0);
  const whole = deleted > 0 && deleted * 4 > segRows;
  // (Local copies only when a merge reads them: a store's localPath may download.)
  let deletesLocal: LocalFile[] | null = null;
  const deletesRead = async () => (deletesLocal ??= await withLocal(deletes));
  const out: SilverFile[] = [];
  for (const part of ['current', 'open'] as const) {
    const here = files.filter((f) => f.part === part);
    if (here.length === 0 || (!whole && here.length <= maxSegments)) {
      out.push(...here);
      continue;
    }
    // Whole: every segment, all deletes applied. Else all but the largest, whose rows are read with the deletes.
    const largest = whole ? null : here.reduce((x, y) => (y.rows > x.rows ? y : x));
    const merge = await withLocal(here.filter((f) => f !== largest));
    const rowsSql = tradesRowsSql([...merge, ...await deletesRead()])!;
    // The merged rows are live now: labelled with this version, no older delete hides them.
    const merged = await writer.write('trades_history', `SELECT * FROM ${rowsSql}`, { part, bucket, seg: writer.version }, { dictionary: false });
    out.push(...(largest === null ? [] : [largest]), ...(merged === null ? [] : [merged]));
  }
  if (!whole && deletes.length > maxSegments) {
    // A delete matters only through its latest _seg for a trade.
    const merged = await writer.write('trades_history', `SELECT trade_id, max(_seg) AS _seg FROM read_parquet(${quotedList((await deletesRead()).map((d) => d.local))}) GROUP BY trade_id`,
      { part: 'deletes', bucket }, { dictionary: false });
    if (merged !== null) out.push(merged);
  } else if (!whole) {
    out.push(...deletes);
  }
  return out;
}
