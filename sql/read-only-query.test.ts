import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli } from '../test/cli.js';
import { TestLake, baseTrade } from '../silver/test-fixtures/lake.js';
import { bronzeLog } from '../bronze/bronze-writer.js';
import { silverLog } from '../silver/manifest.js';
import { openAnalystCatalog, type AnalystCatalog } from './analyst-catalog.js';
import { QueryRefusedError, QueryTimeoutError, runReadOnlyQuery } from './read-only-query.js';
import { splitStatements } from './shell.js';
import { snapshot } from './test-fixtures/lake-snapshot.js';

let lake: TestLake;
let lakeDir: string;
let outside: string;
let catalog: AnalystCatalog;

async function versions(): Promise<[number | undefined, number | undefined]> {
  return [(await bronzeLog(lake.store).latest())?.version, (await silverLog(lake.store).latest())?.version];
}

beforeAll(async () => {
  lake = await TestLake.create();
  lakeDir = join(lake.dir, 'lake');
  outside = join(lake.dir, 'outside.csv');
  writeFileSync(outside, 'a,b\n1,2\n');
  await lake.land([
    { value: baseTrade, at: '2026-03-02T09:00:00Z' },
    { value: { ...baseTrade, trade_id: 'T2', quantity: 5 }, at: '2026-03-02T09:05:00Z' },
  ]);
  await lake.build({ businessDate: '2026-03-02' });
  catalog = await openAnalystCatalog({ store: lake.store });
});

afterAll(async () => {
  catalog?.close();
  await lake?.close();
});

/** The "must show" list: each refused or stopped with a clear message. */
const mustRefuse: [string, string, RegExp][] = [
  ['DROP', 'DROP VIEW bronze.records', /read-only: DROP statements are refused/],
  ['INSERT', "INSERT INTO bronze.records (topic) VALUES ('x')", /read-only: INSERT statements are refused/],
  ['COPY', "COPY (SELECT 1) TO 'lake/bronze/evil.csv'", /read-only: COPY statements are refused/],
  ['ATTACH', "ATTACH 'other.db'", /read-only: ATTACH statements are refused/],
  ['INSTALL', 'INSTALL httpfs', /read-only: INSTALL statements are refused/],
  ['SET', 'SET threads = 1', /read-only: SET statements are refused/],
  ["read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')", /the table function read_csv\(\) is refused/],
  ['multiple statements', 'SELECT 1; DROP VIEW bronze.records', /one statement at a time: the query has 2/],
];

/** Other ways around, each refused. */
const otherEscapes: [string, RegExp][] = [
  ['CREATE TEMP TABLE t AS SELECT 1', /CREATE statements are refused/],
  ['CREATE TEMP VIEW v AS SELECT 1', /CREATE statements are refused/],
  ['CREATE MACRO m(x) AS x + 1', /CREATE statements are refused/],
  ['CREATE OR REPLACE VIEW bronze.records AS SELECT 1 AS topic', /CREATE statements are refused/],
  ['PRAGMA enable_profiling', /PRAGMA statements are refused/],
  ["PRAGMA table_info('bronze.records')", /PRAGMA statements are refused/],
  ['CALL enable_logging()', /CALL statements are refused/],
  ['CHECKPOINT', /CHECKPOINT statements are refused/],
  ["EXPORT DATABASE 'lake/export'", /EXPORT statements are refused/],
  ['LOAD httpfs', /LOAD statements are refused/],
  ['RESET threads', /RESET statements are refused/],
  ["SET VARIABLE x = 1", /SET statements are refused/],
  ['USE silver', /USE statements are refused/],
  ['DETACH lakehouse', /DETACH statements are refused/],
  ['BEGIN TRANSACTION', /BEGIN statements are refused/],
  ['VACUUM', /VACUUM statements are refused/],
  ['UPDATE EXTENSIONS', /UPDATE statements are refused/],
  ["DELETE FROM bronze.records", /DELETE statements are refused/],
  ['/* a comment first */ DROP VIEW bronze.records', /DROP statements are refused/],
  ["SELECT * FROM read_text('/etc/passwd')", /read_text\(\) is refused/],
  ["SELECT * FROM read_blob('/etc/passwd')", /read_blob\(\) is refused/],
  ["SELECT * FROM glob('/etc/*')", /glob\(\) is refused/],
  ["SELECT * FROM read_parquet('/elsewhere/x.parquet')", /read_parquet\(\) is refused/],
  ["SELECT * FROM parquet_metadata('lake/bronze/x.parquet')", /parquet_metadata\(\) is refused/],
  ["SELECT * FROM sniff_csv('/etc/passwd')", /sniff_csv\(\) is refused/],
  ["SELECT * FROM \"READ_CSV\"('/etc/passwd')", /read_csv\(\) is refused/],
  ["SELECT * FROM main.read_csv('/etc/passwd')", /read_csv\(\) is refused/],
  ["SELECT count(*) FROM (SELECT * FROM bronze.records WHERE topic IN (SELECT column0 FROM read_csv('/etc/passwd')))", /read_csv\(\) is refused/],
  ["WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x", /read_csv\(\) is refused/],
  ["SELECT * FROM query('SELECT 1')", /query\(\) is refused/],
  ["SELECT * FROM query_table('/etc/passwd')", /query_table\(\) takes the name of a view/],
  ["SELECT * FROM query_table('bronze.' || 'records')", /query_table\(\) takes the name of a view/],
  ["SELECT * FROM silver.history_as_of('lake/bronze/records/x.parquet', DATE '2026-03-02')", /takes view names, not file paths/],
  ["SELECT * FROM '/etc/passwd'", /reading files is refused/],
  ['SELECT * FROM "outside.csv"', /reading files is refused/],
  ['SELECT * FROM enable_logging()', /enable_logging\(\) is refused/],
  ['SELECT * FROM checkpoint()', /checkpoint\(\) is refused/],
  ["SELECT * FROM json_execute_serialized_sql('{}')", /json_execute_serialized_sql\(\) is refused/],
  ["SELECT getenv('HOME')", /getenv\(\) is refused/],
  ['SELECT setseed(0.5)', /setseed\(\) is refused/],
  ['SELECT sleep_ms(100000)', /sleep_ms\(\) is refused/],
  ["SELECT current_setting('threads'), * FROM duckdb_settings()", /duckdb_settings\(\) is refused/],
  ["SUMMARIZE SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is refused/],
  ["DESCRIBE SELECT * FROM read_text('/etc/passwd')", /read_text\(\) is refused/],
  ["DESCRIBE '/etc/passwd'", /reading files is refused/],
  ["EXPLAIN ANALYZE COPY (SELECT 1) TO 'lake/bronze/evil.csv'", /EXPLAIN is accepted of a query only; this explains a COPY statement/],
  ['EXPLAIN ANALYZE DROP VIEW bronze.records', /this explains a DROP statement/],
  ['EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1', /this explains a CREATE statement/],
  ['EXPLAIN (ANALYZE) CREATE TABLE t AS SELECT 1', /this explains a CREATE statement/],
  ["EXPLAIN ANALYZE SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is refused/],
  ["WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", /does not parse/],
  ['PIVOT bronze.records ON topic', /one statement at a time/],
  ['SELECT 1; SELECT 2', /one statement at a time: the query has 2/],
  ['', /the query is empty/],
  ['SELEKT 1', /does not parse/],
];

describe('the read-only query path (in process)', () => {
  it.each(mustRefuse)('refuses %s with a clear message', async (_, sql, message) => {
    await expect(runReadOnlyQuery(catalog, sql)).rejects.toThrow(message);
    await expect(runReadOnlyQuery(catalog, sql)).rejects.toBeInstanceOf(QueryRefusedError);
  });

  it.each(otherEscapes)('refuses %s', async (sql, message) => {
    await expect(runReadOnlyQuery(catalog, sql)).rejects.toThrow(message);
  });

  it('stops a query that would run forever, and the connection answers the next one', async () => {
    const started = Date.now();
    const err = await runReadOnlyQuery(catalog, 'SELECT count(*) FROM range(1000000000000) a, range(1000000000000) b', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect((err as Error).message).toBe('query stopped: it ran longer than its time limit of 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await runReadOnlyQuery(catalog, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('accepts SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN and the catalog\'s macros', async () => {
    const ok = [
      'SELECT trade_id FROM silver.trades_current ORDER BY 1',
      'WITH t AS (SELECT trade_id FROM silver.trades_current) SELECT count(*) AS n FROM t',
      'FROM silver.trades_current SELECT trade_id',
      'VALUES (1, 2)',
      'DESCRIBE silver.trades_current',
      'DESCRIBE SELECT * FROM bronze.records',
      'SHOW ALL TABLES',
      'SHOW silver.trades_history',
      'SUMMARIZE silver.trades_current',
      'SUMMARIZE SELECT quantity FROM silver.trades_current',
      'EXPLAIN SELECT * FROM bronze.records',
      'EXPLAIN ANALYZE SELECT count(*) FROM bronze.records',
      "SELECT trade_id FROM silver.trades_as_of(DATE '2026-03-02')",
      "SELECT trade_id FROM silver.trades_as_known(DATE '2026-03-02', TIMESTAMPTZ '2026-03-02 09:01:00Z')",
      "SELECT count(*) FROM silver.history_as_of('silver.trades_history', DATE '2026-03-02')",
      "SELECT count(*) FROM query_table('bronze.records')",
      'SELECT * FROM range(3) r, unnest([1, 2]) u',
      "SELECT view_name FROM duckdb_views() WHERE schema_name = 'silver'",
      "PIVOT (SELECT topic FROM bronze.records) ON topic IN ('trades') USING count(*)",
      "SELECT current_setting('TimeZone') AS tz",
      '-- a comment\nSELECT 1;',
    ];
    for (const sql of ok) await expect(runReadOnlyQuery(catalog, sql), sql).resolves.toBeDefined();
    expect((await runReadOnlyQuery(catalog, "SELECT trade_id FROM silver.trades_as_known(DATE '2026-03-02', TIMESTAMPTZ '2026-03-02 09:01:00Z')")).rows).toEqual([{ trade_id: 'T1' }]);
    expect((await runReadOnlyQuery(catalog, "SELECT current_setting('TimeZone') AS tz")).rows).toEqual([{ tz: 'UTC' }]);
  });

  it('cuts at the row limit and says so', async () => {
    const cut = await runReadOnlyQuery(catalog, 'SELECT * FROM range(5000)', { maxRows: 2500 });
    expect(cut.rows).toHaveLength(2500);
    expect(cut.truncated).toBe(true);
    const exact = await runReadOnlyQuery(catalog, 'SELECT * FROM range(2048)', { maxRows: 2048 });
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.rows).toHaveLength(2048);
    const big = await runReadOnlyQuery(catalog, 'SELECT * FROM range(1000000000000)', { maxRows: 3 });
    expect(big.rows).toEqual([{ range: '0' }, { range: '1' }, { range: '2' }]);
  });

  it('gives timestamps as ISO-8601 in UTC and makes duplicate column names unique', async () => {
    const r = await runReadOnlyQuery(catalog, "SELECT TIMESTAMPTZ '2026-03-02 09:00:00Z' AS t, 1 AS a, 2 AS a");
    expect(r.rows).toEqual([{ t: '2026-03-02T09:00:00Z', a: 1, 'a:1': 2 }]);
  });

  it('runs on a database opened read-only and locked down, even for statements that skip the check', async () => {
    const c = catalog.db.connection;
    const fails = async (sql: string) => (await c.run(sql).then(() => 'ran', (e: Error) => e.message));
    expect(await fails('DROP VIEW bronze.records')).toMatch(/read-only mode/);
    expect(await fails('CREATE VIEW silver.x AS SELECT 1')).toMatch(/read-only mode/);
    expect(await fails('CREATE MACRO silver.m(x) AS x')).toMatch(/read-only mode/);
    expect(await fails("SELECT * FROM read_csv('/etc/passwd')")).toMatch(/Permission Error/);
    expect(await fails(`SELECT * FROM read_csv('${outside}')`)).toMatch(/Permission Error/);
    expect(await fails(`COPY (SELECT 1) TO '${join(lake.dir, 'copied.csv')}'`)).toMatch(/Permission Error/);
    expect(await fails("ATTACH '/tmp/other.duckdb'")).toMatch(/Permission Error|disabled/);
    expect(await fails('SET enable_external_access = true')).toMatch(/locked/);
    expect(await fails("SET allowed_directories = ['/']")).toMatch(/locked|Cannot change/);
    expect(await fails('INSTALL httpfs')).toMatch(/Permission Error|disabled|locked/);
    expect(existsSync(join(lake.dir, 'copied.csv'))).toBe(false);
    const mode = await c.runAndReadAll("SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()");
    expect(mode.getRows()).toEqual([[true]]);
  });

  it('leaves the lake unchanged: files, sizes, times and table versions', async () => {
    const before = snapshot(lakeDir);
    const versionsBefore = await versions();
    for (const [, sql] of mustRefuse) await runReadOnlyQuery(catalog, sql).catch(() => undefined);
    for (const [sql] of otherEscapes) await runReadOnlyQuery(catalog, sql).catch(() => undefined);
    expect(snapshot(lakeDir)).toEqual(before);
    expect(await versions()).toEqual(versionsBefore);
    expect((await runReadOnlyQuery(catalog, 'SELECT count(*) AS n FROM bronze.records')).rows).toEqual([{ n: '2' }]);
  });

  it('removes its database file on close', async () => {
    const other = await openAnalystCatalog({ store: lake.store });
    expect(existsSync(other.path)).toBe(true);
    other.close();
    expect(existsSync(other.path)).toBe(false);
  });
});

describe('splitting statements in the shell', () => {
  it('splits at semicolons outside quotes and comments and keeps the unfinished rest', () => {
    expect(splitStatements("SELECT ';' AS a; SELECT \"x;y\" FROM t; -- c;\nSELECT /* ; */ 2")).toEqual({
      statements: ["SELECT ';' AS a;", 'SELECT "x;y" FROM t;'],
      rest: ' -- c;\nSELECT /* ; */ 2',
    });
    expect(splitStatements('SELECT 1; -- done\n')).toEqual({ statements: ['SELECT 1;'], rest: '' });
    expect(splitStatements("SELECT 'it''s;'; SELECT $$a;b$$;")).toEqual({ statements: ["SELECT 'it''s;';", 'SELECT $$a;b$$;'], rest: '' });
  });
});

describe('lakehouse sql (command line)', () => {
  const sql = (args: string[], options: { input?: string } = {}) => runCli(['sql', ...args, '--lake', lakeDir], options);

  it('answers a query over bronze and silver in every text format', async () => {
    const json = await sql(['SELECT topic, "key", line FROM bronze.records ORDER BY line', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ topic: 'trades', key: 'T1', line: '1' }, { topic: 'trades', key: 'T2', line: '2' }]);
    const csv = await sql(['SELECT trade_id, quantity FROM silver.trades_current ORDER BY 1', '--format', 'csv']);
    expect(csv.stdout).toBe('trade_id,quantity\nT1,1000.0000000000\nT2,5.0000000000\n');
    const table = await sql(['SELECT count(*) AS n FROM bronze.dead_letter']);
    expect(table.stdout).toBe('n\n-\n0\n(1 row)\n');
  });

  it.each(mustRefuse)('refuses %s: exit 2, one line on stderr, the lake unchanged', async (_, query, message) => {
    const before = snapshot(lakeDir);
    const r = await sql([query]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lakehouse: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot(lakeDir)).toEqual(before);
  });

  it('stops a query that would run forever: exit 1, one line on stderr', async () => {
    const r = await sql(['SELECT count(*) FROM range(1000000000000) a', '--timeout-ms', '500']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('lakehouse: query stopped: it ran longer than its time limit of 500 ms');
  });

  it('refuses to read files outside the lake, by function or by name', async () => {
    for (const q of ["SELECT * FROM read_csv('/etc/passwd')", `SELECT * FROM read_csv('${outside}')`, "SELECT * FROM '/etc/passwd'"]) {
      const r = await sql([q]);
      expect(r.code, q).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/refused/);
    }
  });

  it('writes Parquet to --out, whole, with the result\'s types; refuses Parquet without --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sql-out-'));
    const file = join(dir, 'trades.parquet');
    const r = await sql(["SELECT trade_id, quantity, recorded_from, valid_from::DATE AS d FROM silver.trades_current ORDER BY 1", '--format', 'parquet', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['trades.parquet']);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    const back = await c.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
    expect(back.columnTypes().map(String)).toEqual(['VARCHAR', 'DECIMAL(38,10)', 'TIMESTAMP WITH TIME ZONE', 'DATE']);
    expect(back.getRowsJson()).toEqual([['T1', '1000.0000000000', '2026-03-02 09:00:00+00', '2026-03-02'], ['T2', '5.0000000000', '2026-03-02 09:05:00+00', '2026-03-02']]);
    c.closeSync();
    db.closeSync();

    const none = await sql(['SELECT 1', '--format', 'parquet']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--format parquet needs --out FILE');
    const refused = await sql(['DROP VIEW bronze.records', '--format', 'parquet', '--out', join(dir, 'no.parquet')]);
    expect(refused.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['trades.parquet']);
  });

  it('writes the text formats to --out', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sql-out-')), 'n.csv');
    const r = await sql(['SELECT count(*) AS n FROM bronze.records', '--format', 'csv', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe('n\n2\n');
  });

  it('reads the query from stdin when none is given and stdin is not a terminal', async () => {
    const r = await sql(['--format', 'csv'], { input: 'SELECT count(*) AS n\nFROM bronze.records\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('n\n2\n');
    const refused = await sql([], { input: 'DROP VIEW bronze.records' });
    expect(refused.code).toBe(2);
  });

  it('runs the shell over piped stdin with --shell: statements over lines, dot commands, errors do not stop it', async () => {
    const before = snapshot(lakeDir);
    const input = [
      'SELECT count(*) AS n',
      'FROM bronze.records;',
      '.format csv',
      "SELECT trade_id FROM silver.trades_current ORDER BY 1; DROP VIEW bronze.records;",
      '.tables',
      '.format xml',
      "SELECT * FROM read_csv('/etc/passwd');",
      'SELECT 42 AS answer;',
      '.quit',
      'SELECT 43 AS never;',
    ].join('\n');
    const r = await sql(['--shell'], { input });
    expect(r.stdout).toContain('lakehouse> ');
    expect(r.stdout).toContain('n\n-\n2\n(1 row)');
    expect(r.stdout).toContain('trade_id\nT1\nT2\n');
    expect(r.stdout).toContain('bronze.records,view');
    expect(r.stdout).toContain('silver.trades_as_of(d),table macro');
    expect(r.stdout).toContain('answer\n42\n');
    expect(r.stdout).not.toContain('never');
    const errors = r.stderr.trim().split('\n');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^Error: read-only: DROP statements are refused/);
    expect(errors[1]).toMatch(/^Error: \.format takes one of table, csv, json/);
    expect(errors[2]).toMatch(/^Error: read-only: the table function read_csv\(\) is refused/);
    expect(r.code).toBe(1);
    expect(snapshot(lakeDir)).toEqual(before);
  });

  it('exits 2 with one clear line on bad usage', async () => {
    for (const [args, message] of [
      [['SELECT 1', '--format', 'xml'], '--format: "xml" must be one of table, csv, json, parquet'],
      [['SELECT 1', 'SELECT 2'], 'expected one query argument, got 2'],
      [['SELECT 1', '--shell'], '--shell takes no query argument'],
      [['SELECT 1', '--port', '1'], '--port and --host go with --serve'],
      [['SELECT 1', '--out', '/no/such/dir/x.csv'], '--out: no such directory'],
    ] as [string[], string][]) {
      const r = await sql(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`lakehouse: ${r.stderr.trim().replace(/^lakehouse: /, '')}`);
      expect(r.stderr).toContain(message);
    }
  });
});
