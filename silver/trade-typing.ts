/**
 * How silver types a trade's JSON fields (CONTRACT.md section 3): one json_transform per record into VARCHAR fields,
 * then casts. Shared by the build and the benchmark's baseline, so both type the same way.
 */
import { quotedString } from '../lib/duckdb.js';

/** The payload fields silver keeps of a trade, in the order of its tables. */
export const tradeJsonFields = [
  'trade_id', 'version', 'counterparty_id', 'book_id', 'legal_entity', 'instrument_id', 'asset_class', 'side', 'quantity', 'price',
  'currency', 'trade_date', 'settlement_date', 'maturity_date', 'created_date', 'event_id',
] as const;

/** json_transform's structure argument: every field as VARCHAR (numbers as their JSON text). */
export const tradeJsonStructure = quotedString(JSON.stringify(Object.fromEntries(tradeJsonFields.map((f) => [f, 'VARCHAR']))));

/**
 * CAST(text AS DECIMAL(38, 10)), exactly, at a fraction of its cost. DuckDB's text -> DECIMAL(38, 10) cast (a 128-bit
 * integer underneath) takes ~4 µs a value; to DECIMAL(18, 10) and to BIGINT ~20 ns. Text that DECIMAL(18, 10) holds
 * (|value| < 10^8; the same rounding of digits past the tenth) and plain integers up to 18 digits take those casts,
 * which give the same value; anything else (exponents, larger numbers with a fraction, bad text) the cast itself.
 */
export function decimalSql(text: string, cast: 'CAST' | 'TRY_CAST' = 'CAST'): string {
  return `coalesce(TRY_CAST(${text} AS DECIMAL(18, 10))::DECIMAL(38, 10),
    CASE WHEN regexp_full_match(${text}, '-?[0-9]{1,18}') THEN CAST(${text} AS BIGINT)::DECIMAL(38, 10) ELSE ${cast}(${text} AS DECIMAL(38, 10)) END)`;
}

/**
 * The typed trade columns, from `t`: a STRUCT of the fields as text (json_transform with tradeJsonStructure) made in
 * the same query. Not a STRUCT column of a stored table: DuckDB 1.5.6 then evaluates decimalSql's fallback for every
 * row (~100x slower); project the fields out in a subquery first.
 */
export function tradeTypedColumnsSql(t: string, options: { safe?: boolean } = {}): string {
  // `safe`: TRY_CAST, for a pass over records not yet validated (a value that passes the schema rules casts alike).
  const CAST = options.safe ? 'TRY_CAST' : 'CAST';
  return `${t}.trade_id AS trade_id,
  ${CAST}(${t}.version AS INTEGER) AS version,
  ${t}.counterparty_id AS counterparty_id,
  ${t}.book_id AS book_id,
  ${t}.legal_entity AS legal_entity,
  ${t}.instrument_id AS instrument_id,
  ${t}.asset_class AS asset_class,
  ${t}.side AS side,
  ${decimalSql(`${t}.quantity`, CAST)} AS quantity,
  ${decimalSql(`${t}.price`, CAST)} AS price,
  ${t}.currency AS currency,
  ${CAST}(${t}.trade_date AS DATE) AS trade_date,
  ${CAST}(${t}.settlement_date AS DATE) AS settlement_date,
  ${CAST}(${t}.maturity_date AS DATE) AS maturity_date,
  ${CAST}(${t}.created_date AS DATE) AS created_date,
  ${t}.event_id AS event_id`;
}
