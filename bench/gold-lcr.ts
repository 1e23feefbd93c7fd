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
import { computeLcr } from '../gold/lcr/compute-lcr.js';
import { loadRegime } from '../gold/regime/regime.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const rounds = 3;
const dir = mkdtempSync(join(tmpdir(), 'bench-lcr-'));
const file = quotedString(join(dir, 'exposures.parquet'));
const db = await openDuckDb();
const sql = db.connection;

// A treasury-like mix: deposits and wholesale funding dominate, with repos, facilities, loans and the securities book.
await sql.run(`COPY (
  WITH g AS (
    SELECT i, ['RETAIL_DEPOSIT', 'RETAIL_DEPOSIT', 'RETAIL_DEPOSIT', 'RETAIL_DEPOSIT', 'RETAIL_DEPOSIT', 'UNSECURED_WHOLESALE_FUNDING',
      'UNSECURED_WHOLESALE_FUNDING', 'UNSECURED_WHOLESALE_FUNDING', 'SECURED_FUNDING', 'COMMITTED_CREDIT_FACILITY',
      'COMMITTED_LIQUIDITY_FACILITY', 'SECURED_LENDING', 'SECURED_LENDING', 'UNSECURED_LENDING', 'UNSECURED_LENDING',
      'SECURITY', 'SECURITY', 'SECURITY', 'CB_RESERVES', 'CASH'][(i // 5) % 20 + 1] AS product
    FROM range(${rows}) t(i)
  )
  SELECT
    DATE '2025-06-30' AS as_of_date,
    'BANK_' || chr(65 + (i % 5)::INTEGER) AS legal_entity,
    'USD' AS reporting_currency,
    ['USD', 'EUR', 'GBP'][i % 3 + 1] AS currency,
    'EXP' || i AS exposure_id,
    product,
    CASE WHEN product IN ('CASH', 'CB_RESERVES', 'SECURITY') THEN 'asset' WHEN product IN ('SECURED_LENDING', 'UNSECURED_LENDING') THEN 'inflow' ELSE 'outflow' END AS direction,
    CASE
      WHEN product IN ('CASH', 'CB_RESERVES', 'SECURITY') THEN NULL
      WHEN product = 'RETAIL_DEPOSIT' THEN ['RETAIL', 'SMALL_BUSINESS'][i % 2 + 1]
      WHEN product IN ('UNSECURED_WHOLESALE_FUNDING', 'SECURED_FUNDING', 'SECURED_LENDING') THEN
        ['NON_FINANCIAL_CORPORATE', 'SOVEREIGN_DOMESTIC', 'SOVEREIGN_FOREIGN', 'CENTRAL_BANK', 'BANK', 'OTHER_FINANCIAL', 'OTHER'][i % 7 + 1]
      ELSE ['RETAIL', 'SMALL_BUSINESS', 'NON_FINANCIAL_CORPORATE', 'SOVEREIGN_DOMESTIC', 'SOVEREIGN_FOREIGN', 'CENTRAL_BANK', 'BANK', 'OTHER_FINANCIAL', 'OTHER'][i % 9 + 1]
    END AS counterparty_type,
    CAST((i * 7919) % 10000000 * 0.01 AS DECIMAL(18,2)) AS amount,
    CASE WHEN i % 5 = 0 OR product IN ('CASH', 'CB_RESERVES') THEN NULL ELSE DATE '2025-06-30' + (1 + i % 60)::INTEGER END AS maturity_date,
    CASE WHEN product IN ('SECURITY', 'SECURED_FUNDING', 'SECURED_LENDING') THEN ['L1', 'L2A', 'L2B_RMBS', 'L2B', 'NON_HQLA'][i % 5 + 1] END AS collateral_class,
    CASE WHEN product IN ('SECURED_FUNDING', 'SECURED_LENDING') THEN CAST((i * 7919) % 10000000 * 0.0102 AS DECIMAL(18,2)) END AS collateral_value,
    CASE WHEN product = 'UNSECURED_WHOLESALE_FUNDING' THEN i % 3 = 0 WHEN product = 'UNSECURED_LENDING' THEN i % 7 = 0 ELSE false END AS is_operational,
    CASE WHEN product IN ('RETAIL_DEPOSIT', 'UNSECURED_WHOLESALE_FUNDING') THEN i % 2 = 0 ELSE false END AS is_insured,
    product = 'RETAIL_DEPOSIT' AND i % 4 = 0 AS is_stable,
    CASE WHEN product = 'SECURITY' THEN i % 10 = 0 WHEN product = 'SECURED_LENDING' THEN i % 8 = 0 ELSE false END AS is_encumbered
  FROM g
) TO ${file} (FORMAT parquet, COMPRESSION zstd)`);
await sql.run(`CREATE VIEW bench_exposures AS SELECT * FROM read_parquet(${file})`);
const regime = loadRegime();

async function best(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return Math.min(...times);
}

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
