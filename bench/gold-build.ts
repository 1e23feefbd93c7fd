/**
 * The gold build against DuckDB's bare speed: `npm run bench -- gold [rows]`. Generates `rows` (default 1,000,000)
 * exposures across 5 legal entities (bench/exposure-data.ts) and loads them into an in-memory table, as the exposure
 * step leaves them; then, best of 3 rounds each, times
 *   - DuckDB's bare scan-and-sum of the same rows (SELECT legal_entity, sum(amount) ... GROUP BY legal_entity),
 *   - the LCR figures of the gold build (the calculator's code path, no excluded list), and
 *   - the whole publish step of a gold run (publishGoldRun): figures, fingerprint, the four Parquet tables (the 1M
 *     exposures among them) written to a local lake and a gold version committed.
 * Target (issue 5): the gold build within 3x of the bare scan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, quotedString } from '../lib/duckdb.js';
import { computeLcr } from '../gold/lcr/compute-lcr.js';
import { publishGoldRun } from '../gold/build-gold.js';
import { loadRegime } from '../gold/regime/regime.js';
import { LocalObjectStore } from '../store/local-store.js';
import { bestOf, writeBenchExposures } from './exposure-data.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const rounds = 3;
const dir = mkdtempSync(join(tmpdir(), 'bench-gold-'));
const file = quotedString(join(dir, 'exposures.parquet'));
const db = await openDuckDb();
const sql = db.connection;
await writeBenchExposures(sql, file, rows);
await sql.run(`CREATE TABLE exposures AS SELECT * FROM read_parquet(${file})`);
const regime = loadRegime();
const store = new LocalObjectStore({ root: join(dir, 'lake') });

const best = (run: (round: number) => Promise<unknown>) => bestOf(rounds, run);

const bareMs = await best(() => sql.runAndReadAll('SELECT legal_entity, sum(amount) FROM exposures GROUP BY legal_entity'));
const figuresMs = await best(() => computeLcr(sql, { exposures: 'exposures', regime, listExcluded: false }));
let version = 0;
const publishMs = await best(async (round) => {
  // A later knowledge time each round with other figures: every round publishes (a restatement), none is skipped.
  await sql.run(`UPDATE exposures SET amount = amount + ${round} WHERE exposure_id = 'EXP1'`);
  const result = await publishGoldRun(sql, {
    store, asOfDate: '2025-06-30', knownAt: new Date(Date.UTC(2025, 6, 1, round)).toISOString(), knownAtGiven: true, newestEventAt: null,
    silverVersion: 1, regime, internalLimit: '1.10', exposures: 'exposures', exposureCount: rows,
  });
  if (!result.published) throw new Error('the bench round published nothing');
  version = result.version;
});
const parquetMs = await best(() => sql.run(`COPY (SELECT * FROM exposures) TO ${quotedString(join(dir, 'copy.parquet'))} (FORMAT parquet, COMPRESSION zstd)`));

console.log(`${rows.toLocaleString('en')} exposures across 5 legal entities, in memory (best of ${rounds}; gold versions published: ${version})`);
console.log(`bare scan-and-sum (legal_entity, sum(amount)):          ${Math.round(bareMs)} ms`);
console.log(`gold LCR figures (calculator code path):                ${Math.round(figuresMs)} ms   ${(figuresMs / bareMs).toFixed(1)}x the bare scan`);
console.log(`gold run published (figures + 4 Parquet tables + commit): ${Math.round(publishMs)} ms   ${(publishMs / bareMs).toFixed(1)}x the bare scan`);
console.log(`  of which writing the exposures alone costs (plain COPY to zstd Parquet): ${Math.round(parquetMs)} ms`);
console.log(`target: within 3x of the bare scan`);
db.close();
rmSync(dir, { recursive: true, force: true });
