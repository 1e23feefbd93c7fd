/**
 * Measures the `trades` schema rules over generated values: `npm run bench -- silver-rules [rows] [brokenEvery]`.
 * 1 value in `brokenEvery` (default 100) breaks 17 rules. Prints records/s of the whole rulesSql query over a table of (value, j), the
 * JSON parse into j being the caller's and measured apart.
 */
import { openDuckDb } from '../lib/duckdb.js';
import { tradeEventSchema } from '../oms-ems/schemas/trade-event.js';
import { rulesSql, schemaRules } from '../silver/rules/schema-rules.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const brokenEvery = Number(process.argv[3] ?? 100);
const db = await openDuckDb();
const run = async (sql: string) => {
  const started = performance.now();
  const result = (await db.connection.runAndReadAll(sql)).getRowsJson();
  return { ms: performance.now() - started, result };
};

await run(`CREATE TABLE raw AS SELECT i AS arrival, CASE WHEN i % ${brokenEvery} = 7 THEN '{"trade_id": 5, "quantity": -1, "side": "HOLD"}' ELSE json_object(
  'event_id', 'ev-' || i, 'schema_version', 1, 'event_time', '2026-03-02T10:15:30.123Z', 'source', 'trade-capture',
  'trade_id', 'T' || i, 'version', 1 + i % 3, 'counterparty_id', 'CP' || (i % 500), 'book_id', 'BOOK' || (i % 20),
  'legal_entity', 'BANK_A', 'instrument_id', 'US91282CJL54', 'asset_class', 'GOVT_BOND', 'side', CASE WHEN i % 2 = 0 THEN 'BUY' ELSE 'SELL' END,
  'quantity', 1000 + i % 7, 'price', 99.5 + (i % 10) / 10, 'currency', 'USD', 'trade_date', '2026-03-02', 'settlement_date', '2026-03-04',
  'maturity_date', '2030-01-15', 'created_date', '2026-03-02', 'exec_id', 'EX' || i, 'venue', 'XLON', 'counterparty_type', 'BANK',
  'issuer_id', 'US-TSY')::VARCHAR END AS value
  FROM range(${rows}) t(i)`);
const parse = await run('CREATE TABLE input AS SELECT arrival, value, TRY_CAST(value AS JSON) AS j FROM raw');
const rules = schemaRules('trades', tradeEventSchema);
console.log(`${rows} values, ${rules.length} rules; TRY_CAST(value AS JSON) into a table: ${Math.round(parse.ms)} ms`);
for (let round = 1; round <= 3; round++) {
  const { ms, result } = await run(`SELECT count(*) FROM (${rulesSql(rules, 'input')})`);
  console.log(`round ${round}: ${Math.round(ms)} ms, ${result[0][0]} violations, ${Math.round(rows / (ms / 1000)).toLocaleString('en')} records/s`);
}
db.close();
