/**
 * The gold build against DuckDB's bare speed: `npm run bench -- gold [rows]`. Generates `rows` (default 1,000,000)
 * exposures across 5 legal entities (bench/exposure-data.ts) and loads them into an in-memory table, as the exposure
 * step leaves them; then, best of 3 rounds each, times
 *   - DuckDB's bare scan-and-sum of the same rows (SELECT legal_entity, sum(amount) ... GROUP BY legal_entity),
 *   - the same rows grouped by the six columns the figures are kept by (date, entity, reporting currency, product,
 *     counterparty type, collateral class) with their count and sums, no rules: what any calculator pays first,
 *   - the LCR figures of the gold build (the calculator's code path as the gold build takes it: no excluded list, no
 *     per-row view), and
 *   - the whole publish step of a gold run (publishGoldRun): figures, fingerprint, the four Parquet tables (the 1M
 *     exposures among them) written to a local lake and a gold version committed;
 * and, for reference, a plain COPY of the exposures to zstd Parquet, and reading the published exposures file back
 * next to reading that plain copy (the gold file is written with ENUM columns and a smaller dictionary limit).
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
// What any calculator pays before a rule: the rows grouped by the six columns the treatment and the sums are kept by.
const keysMs = await best(() => sql.runAndReadAll(`SELECT as_of_date, legal_entity, reporting_currency, product, counterparty_type, collateral_class,
  count(*), sum(amount), sum(collateral_value) FROM exposures GROUP BY ALL`));
const figuresMs = await best(() => computeLcr(sql, { exposures: 'exposures', regime, listExcluded: false, classified: false }));
let version = 0;
let published = '';
const publishMs = await best(async (round) => {
  // A later knowledge time each round with other figures: every round publishes (a restatement), none is skipped.
  await sql.run(`UPDATE exposures SET amount = amount + ${round} WHERE exposure_id = 'EXP1'`);
  const result = await publishGoldRun(sql, {
    store, asOfDate: '2025-06-30', knownAt: new Date(Date.UTC(2025, 6, 1, round)).toISOString(), knownAtGiven: true, newestEventAt: null,
    silverVersion: 1, regime, internalLimit: '1.10', exposures: 'exposures', exposureCount: rows,
  });
  if (!result.published) throw new Error('the bench round published nothing');
  version = result.version;
  published = join(dir, 'lake', 'gold', result.run.files.liquidity_exposures.path);
});
const copy = join(dir, 'copy.parquet');
const parquetMs = await best(() => sql.run(`COPY (SELECT * FROM exposures) TO ${quotedString(copy)} (FORMAT parquet, COMPRESSION zstd)`));
const read = (path: string) => best(() => sql.runAndReadAll(`SELECT legal_entity, product, counterparty_type, sum(amount), count(exposure_id)
  FROM read_parquet(${quotedString(path)}) GROUP BY ALL`));
const readPublishedMs = await read(published);
const readCopyMs = await read(copy);

console.log(`${rows.toLocaleString('en')} exposures across 5 legal entities, in memory (best of ${rounds}; gold versions published: ${version})`);
const line = (what: string, ms: number, ratio = true) => console.log(`${what.padEnd(58)} ${String(Math.round(ms)).padStart(5)} ms${ratio ? `   ${(ms / bareMs).toFixed(1)}x the bare scan` : ''}`);
line('bare scan-and-sum (legal_entity, sum(amount))', bareMs, false);
line('grouped by the six key columns, no rules', keysMs);
line('gold LCR figures (calculator code path)', figuresMs);
line('gold run published (figures + 4 Parquet tables + commit)', publishMs);
line('  for reference: a plain COPY of the exposures to Parquet', parquetMs);
line('reading the published exposures back (group by 3 keys)', readPublishedMs);
line('  the same from the plain COPY', readCopyMs);
console.log('target: within 3x of the bare scan');
db.close();
rmSync(dir, { recursive: true, force: true });
