/**
 * Reads an exposure CSV (LCR.md section D, header row) into DuckDB as text and checks every rule of section D in
 * SQL, set-based (sql/gold/lcr_exposure_problems.sql). Returns every problem found, not just the first; when there is
 * none, leaves the typed temp table lcr_exposures for computeLcr.
 */
import { open } from 'node:fs/promises';
import { quotedString, sqlFile, type DuckDBConnection } from '../../lib/duckdb.js';
import { exposureColumns } from './exposure-schema.js';
import { vocabularyFragments } from './exposure-sql.js';

export interface ExposureProblem {
  /** The file line (header = 1). */
  line: number;
  exposure_id: string | null;
  column: string;
  message: string;
}

export interface ValidatedExposures {
  problems: ExposureProblem[];
  rows: number;
  /** The typed table, when there are no problems. */
  table: 'lcr_exposures' | null;
}

export async function validateExposures(db: DuckDBConnection, path: string): Promise<ValidatedExposures> {
  const header = await readHeader(path);
  const headerProblems = checkHeader(header);
  if (headerProblems.length > 0) return { problems: headerProblems, rows: 0, table: null };
  await db.run('DROP TABLE IF EXISTS lcr_csv_rejects; DROP TABLE IF EXISTS lcr_csv_reject_scans');
  const columns = `{${header.map((name) => `${quotedString(name)}: 'VARCHAR'`).join(', ')}}`;
  await db.run(sqlFile('gold/lcr_exposures_csv', { path: quotedString(path), columns }));
  const rejects = (await db.runAndReadAll(`SELECT line, arg_min(error_type, column_idx) AS error_type, arg_min(error_message, column_idx) AS error_message
    FROM lcr_csv_rejects GROUP BY line ORDER BY line`)).getRowObjectsJson();
  if (rejects.length > 0) await db.run(sqlFile('gold/lcr_exposures_csv_lines'));
  await db.run(sqlFile('gold/lcr_exposure_problems', vocabularyFragments()));
  const order = `[${exposureColumns.map(quotedString).join(', ')}]`;
  const found = (await db.runAndReadAll(`SELECT line, exposure_id, column_name, message FROM lcr_exposure_problems
    ORDER BY line, list_position(${order}, column_name), message`)).getRowObjectsJson();
  const problems: ExposureProblem[] = [
    ...rejects.map((r) => ({ line: Number(r.line), exposure_id: null, column: '(row)', message: `malformed CSV row (${String(r.error_type).toLowerCase()}): ${r.error_message}` })),
    ...found.map((f) => ({ line: Number(f.line), exposure_id: f.exposure_id === null ? null : String(f.exposure_id), column: String(f.column_name), message: String(f.message) })),
  ].sort((a, b) => a.line - b.line);
  const rows = Number((await db.runAndReadAll('SELECT count(*) AS n FROM lcr_exposures_csv')).getRowObjectsJson()[0].n) + rejects.length;
  if (problems.length > 0) return { problems, rows, table: null };
  await db.run(sqlFile('gold/lcr_exposures'));
  return { problems, rows, table: 'lcr_exposures' };
}

/** The header row's names: the first line, split on commas outside quotes (a BOM and a CR are dropped). */
async function readHeader(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const { bytesRead, buffer } = await file.read({ buffer: Buffer.alloc(65_536), position });
      const chunk = buffer.subarray(0, bytesRead);
      const newline = chunk.indexOf(10);
      chunks.push(newline >= 0 ? chunk.subarray(0, newline) : chunk);
      if (newline >= 0 || bytesRead === 0) break;
      position += bytesRead;
    }
    const line = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
    if (line.trim() === '') return [];
    const names: string[] = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '"' && quoted && line[i + 1] === '"') { current += '"'; i++; }
      else if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) { names.push(current); current = ''; }
      else current += ch;
    }
    names.push(current);
    return names;
  } finally {
    await file.close();
  }
}

function checkHeader(names: string[]): ExposureProblem[] {
  if (names.length === 0) return [{ line: 1, exposure_id: null, column: '(header)', message: `no header row: expected the columns ${exposureColumns.join(', ')}` }];
  const problems: ExposureProblem[] = [];
  if (names.some((n) => n.trim() === '')) problems.push({ line: 1, exposure_id: null, column: '(header)', message: 'a header column has no name' });
  for (const column of exposureColumns) {
    if (!names.includes(column)) problems.push({ line: 1, exposure_id: null, column, message: 'missing header column' });
  }
  const seen = new Set<string>();
  for (const name of names.filter((n) => n.trim() !== '')) {
    if (seen.has(name)) problems.push({ line: 1, exposure_id: null, column: name, message: 'appears more than once in the header' });
    seen.add(name);
  }
  return problems;
}
