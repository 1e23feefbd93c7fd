/**
 * Decides whether one analyst statement may run, before DuckDB binds it (binding a table function can already act).
 *
 * Accepted: one statement that DuckDB parses as a query, i.e. SELECT, WITH ... SELECT, FROM-first, VALUES, PIVOT
 * with its IN list, and DESCRIBE / SHOW / SUMMARIZE (DuckDB parses those as a SELECT over the described query, so
 * what they describe is checked like any query), plus EXPLAIN [ANALYZE] of such a statement. DuckDB's own
 * parse tree (json_serialize_sql) is walked, so quoting, comments, nesting and CTEs change nothing:
 * - table functions: only the ones that read no file and change nothing (range, unnest, json_each, the catalog's
 *   own table macros, duckdb_tables() and the like); read_csv, read_parquet, read_text, glob, query(), enable_logging(),
 *   checkpoint() ... are refused;
 * - a table named like a file (`FROM '/etc/passwd'`, `FROM "x.csv"`) is refused; functions that take a table name
 *   (query_table, the catalog's macros) take a plain name, not a path;
 * - scalar functions with side effects or outside reach (getenv, setseed, sleep_ms, write_log, nextval) are refused.
 * Anything else (DROP, INSERT, COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CALL, CREATE, EXPORT, ...) is refused by
 * its first keyword without being prepared. DuckDB's sandbox (read-only database, no file access outside the lake,
 * locked configuration: see analyst-catalog.ts) stays underneath as a second wall.
 */
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { UsageError } from '../lib/errors.js';

/** A statement an analyst may not run: the CLI exits 2, the HTTP API answers 400. */
export class QueryRefusedError extends UsageError {}

export const acceptedStatements = 'SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN';

/** Table functions that read no file and change nothing. */
const safeTableFunctions = new Set([
  'range', 'generate_series', 'unnest', 'json_each', 'json_tree', 'repeat', 'repeat_row',
  'duckdb_columns', 'duckdb_constraints', 'duckdb_databases', 'duckdb_dependencies', 'duckdb_functions', 'duckdb_indexes',
  'duckdb_keywords', 'duckdb_schemas', 'duckdb_sequences', 'duckdb_tables', 'duckdb_types', 'duckdb_views',
]);
/** Table functions whose first argument names a table: it must be a plain (qualified) name, written out. */
const tableNameFunctions = new Set(['query_table', 'pragma_table_info', 'table_info', 'histogram', 'histogram_values']);
/** Scalar functions an analyst's query has no business calling. */
const refusedScalarFunctions = new Set([
  'getenv', 'setseed', 'sleep_ms', 'pg_sleep', 'write_log', 'nextval', 'currval', 'json_execute_serialized_sql',
]);
const fileExtension = /\.(csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|zstd|duckdb|db|sqlite|arrow|feather|xlsx|avro|blob)$/i;
const plainName = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/;

/** The catalog's own table macros (e.g. silver.trades_as_of), as `schema.name` and `name`. */
export async function tableMacros(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    "SELECT schema_name, function_name FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal",
  );
  const names = new Set<string>();
  for (const [schema, name] of reader.getRows() as [string, string][]) {
    names.add(`${schema}.${name}`.toLowerCase());
    names.add(name.toLowerCase());
  }
  return names;
}

/**
 * Checks `sql` and returns it prepared, ready to run; throws QueryRefusedError (with one clear line) otherwise.
 * `macros`: the catalog's table macros (tableMacros()).
 */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string, macros: Set<string>): Promise<DuckDBPreparedStatement> {
  if (sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|;/g, '').trim() === '') throw new QueryRefusedError('the query is empty');
  let extracted;
  try {
    extracted = await connection.extractStatements(sql);
  } catch (err) {
    throw new QueryRefusedError(`query does not parse: ${firstLine(err).replace(/^Failed to extract statements: /, '')}`);
  }
  if (extracted.count === 0) throw new QueryRefusedError('the query is empty');
  if (extracted.count > 1) throw new QueryRefusedError(`one statement at a time: the query has ${extracted.count}`);

  const keyword = firstKeyword(sql);
  const tree = await parseTree(connection, sql);
  if (tree === null) {
    // Not a query. EXPLAIN of a query is one; EXPLAIN ANALYZE runs what it explains, so that must pass too.
    if (keyword !== 'EXPLAIN') throw refusedStatement(keyword);
    const inner = explained(sql);
    if (inner === null) throw new QueryRefusedError(`read-only: EXPLAIN is accepted of a query only (${acceptedStatements})`);
    if (firstKeyword(inner) === 'EXPLAIN' || (await parseTree(connection, inner)) === null) {
      throw new QueryRefusedError(`read-only: EXPLAIN is accepted of a query only; this explains a ${firstKeyword(inner) || 'non-query'} statement`);
    }
    (await prepareReadOnly(connection, inner, macros)).destroySync();
  } else {
    checkTree(tree, macros);
  }
  let prepared;
  try {
    prepared = await extracted.prepare(0);
  } catch (err) {
    throw new QueryRefusedError(`query refused: ${firstLine(err)}`);
  }
  const expected = tree === null ? StatementType.EXPLAIN : StatementType.SELECT;
  if (prepared.statementType !== expected) {
    prepared.destroySync();
    throw new QueryRefusedError(`read-only: ${StatementType[prepared.statementType]} statements are refused; use ${acceptedStatements}`);
  }
  return prepared;
}

function refusedStatement(keyword: string): QueryRefusedError {
  const hint = keyword === 'PRAGMA' ? ' (DESCRIBE and SHOW answer what PRAGMA table_info and show_tables do)' : '';
  return new QueryRefusedError(`read-only: ${keyword || 'this kind of'} statements are refused; use ${acceptedStatements}${hint}`);
}

/** DuckDB's parse tree of a single query statement, or null when the statement is not a query. */
async function parseTree(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const text = reader.getRows()[0]?.[0];
  const parsed = JSON.parse(String(text)) as { error: boolean; error_type?: string; error_message?: string; statements?: unknown[] };
  if (!parsed.error) {
    if (parsed.statements?.length !== 1) throw new QueryRefusedError(`one statement at a time: the query has ${parsed.statements?.length ?? 0}`);
    return parsed.statements[0];
  }
  if (/only select statements/i.test(parsed.error_message ?? '')) return null;
  throw new QueryRefusedError(`query does not parse: ${parsed.error_message ?? parsed.error_type}`);
}

interface Node { [key: string]: unknown }

/** Walks every node of the tree; refuses the first function or table reference outside what an analyst may use. */
function checkTree(tree: unknown, macros: Set<string>): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    if (node.type === 'TABLE_FUNCTION' && isNode(node.function)) {
      checkTableFunction(node.function, macros);
      visit((node.function as Node).children);
      for (const [key, v] of Object.entries(node)) if (key !== 'function') visit(v);
      return;
    }
    if (node.class === 'FUNCTION' && typeof node.function_name === 'string') {
      const name = node.function_name.toLowerCase();
      if (refusedScalarFunctions.has(name)) throw new QueryRefusedError(`read-only: the function ${name}() is refused`);
    }
    if ((node.type === 'BASE_TABLE' || node.type === 'SHOW_REF') && typeof node.table_name === 'string') {
      const name = node.table_name.replace(/^"|"$/g, '');
      if (/[/\\:]/.test(name) || (node.type === 'BASE_TABLE' && name.includes('.')) || fileExtension.test(name)) {
        throw new QueryRefusedError(`read-only: reading files is refused (${JSON.stringify(name)} is not a view); query the views (bronze.*, silver.*, gold.*, metrics.*)`);
      }
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(tree);
}

function checkTableFunction(fn: Node, macros: Set<string>): void {
  const name = String(fn.function_name).toLowerCase();
  const schema = typeof fn.schema === 'string' ? fn.schema.toLowerCase() : '';
  const qualified = schema === '' ? name : `${schema}.${name}`;
  const isMacro = macros.has(qualified);
  if (!isMacro && !safeTableFunctions.has(name) && !tableNameFunctions.has(name)) {
    throw new QueryRefusedError(`read-only: the table function ${name}() is refused: functions that read files or change settings are not available; query the views (bronze.*, silver.*, gold.*, metrics.*)`);
  }
  if (!isMacro && schema !== '' && schema !== 'main' && schema !== 'pg_catalog') {
    throw new QueryRefusedError(`read-only: the table function ${qualified}() is refused`);
  }
  const args = Array.isArray(fn.children) ? (fn.children as Node[]) : [];
  if (tableNameFunctions.has(name)) {
    const first = args[0];
    const text = isNode(first) ? constantText(first) : null;
    if (text === null || !plainName.test(text) || fileExtension.test(text)) {
      throw new QueryRefusedError(`read-only: ${name}() takes the name of a view, written out (e.g. 'silver.trades_history'), not a path or an expression`);
    }
  }
  if (isMacro) {
    for (const arg of args) {
      const text = isNode(arg) ? constantText(arg) : null;
      if (text !== null && (/[/\\]/.test(text) || fileExtension.test(text))) {
        throw new QueryRefusedError(`read-only: ${qualified}() takes view names, not file paths (${JSON.stringify(text)})`);
      }
    }
  }
}

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function constantText(node: Node): string | null {
  if (node.class !== 'CONSTANT' || !isNode(node.value)) return null;
  const v = node.value.value;
  return typeof v === 'string' ? v : null;
}

/** The statement's first keyword, upper case, after leading blanks, comments and parentheses. */
export function firstKeyword(sql: string): string {
  const m = /^[A-Za-z_]+/.exec(stripLeading(sql));
  return m === null ? '' : m[0].toUpperCase();
}

function stripLeading(sql: string): string {
  let s = sql;
  for (;;) {
    const next = s.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()/, '');
    if (next === s) return s;
    s = next;
  }
}

/**
 * What an EXPLAIN statement explains: the text after `EXPLAIN`, `EXPLAIN ANALYZE` or `EXPLAIN (options)`.
 * Null when the options are not plain (then the statement is refused rather than guessed at).
 */
function explained(sql: string): string | null {
  let s = sql;
  for (;;) {
    const next = s.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)/, '');
    if (next === s) break;
    s = next;
  }
  const m = /^EXPLAIN(?:\s+ANALY[SZ]E)?(?:\s+VERBOSE)?(?:\s*\(([^()'"]*)\))?\s+/i.exec(s);
  if (m === null) return null;
  return s.slice(m[0].length);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
