/**
 * The LCR calculator against DuckDB's bare speed: `npm run bench -- lcr [rows]`. Generates `rows` (default 1,000,000)
 * exposures across 5 legal entities into a Parquet file (set-based, in DuckDB), then times computeLcr over it next to a
 * bare scan-and-sum of the same rows (SELECT legal_entity, sum(amount) ... GROUP BY), best of 3 rounds each. Also
 * prints a scan of every column the rules read (the floor of any calculator) and computeLcr keeping the classified rows
 * as a temp table (`materialize`). Target: within 3x of the bare scan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, quotedString } from '../lib/duckdb.js';
import { bestOf, writeBenchExposures } from './exposure-data.js';
import { computeLcr } from '../gold/lcr/compute-lcr.js';
import { loadRegime } from '../gold/regime/regime.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const rounds = 3;
const dir = mkdtempSync(join(tmpdir(), 'bench-lcr-'));
const file = quotedString(join(dir, 'exposures.parquet'));
const db = await openDuckDb();
const sql = db.connection;

await writeBenchExposures(sql, file, rows);
await sql.run(`CREATE VIEW bench_exposures AS SELECT * FROM read_parquet(${file})`);
const regime = loadRegime();

const best = (run: () => Promise<unknown>) => bestOf(rounds, run);

const bareMs = await best(() => sql.runAndReadAll(`SELECT legal_entity, sum(amount) FROM read_parquet(${file}) GROUP BY legal_entity`));
// The floor for any calculator: reading every column the rules look at, with no rule applied.
const floorMs = await best(() => sql.runAndReadAll(`SELECT legal_entity, product, count(counterparty_type), count(collateral_class), sum(amount),
  sum(collateral_value), max(maturity_date), max(as_of_date), max(reporting_currency), count_if(is_operational), count_if(is_insured),
  count_if(is_stable), count_if(is_encumbered), max(exposure_id) FROM read_parquet(${file}) GROUP BY ALL`));
let entities = 0;
let excluded = 0;
const lcrMs = await best(async () => {
  const [report] = await computeLcr(sql, { exposures: 'bench_exposures', regime });
  entities = Object.keys(report.entities).length;
  excluded = Object.values(report.entities).reduce((n, e) => n + e.excluded.length, 0);
});
const materializedMs = await best(() => computeLcr(sql, { exposures: 'bench_exposures', regime, materialize: true }));
console.log(`${rows.toLocaleString('en')} exposures, ${entities} entities, ${excluded.toLocaleString('en')} excluded (best of ${rounds})`);
console.log(`bare scan-and-sum (legal_entity, sum(amount)):   ${Math.round(bareMs)} ms`);
console.log(`scan of every column the rules read, no rules:   ${Math.round(floorMs)} ms`);
console.log(`computeLcr (figures and excluded list):          ${Math.round(lcrMs)} ms`);
console.log(`computeLcr, classified rows kept as a table:     ${Math.round(materializedMs)} ms`);
console.log(`ratio: ${(lcrMs / bareMs).toFixed(2)}x the bare scan (target <= 3x), ${(lcrMs / floorMs).toFixed(2)}x the full-column scan`);
db.close();
rmSync(dir, { recursive: true, force: true });
