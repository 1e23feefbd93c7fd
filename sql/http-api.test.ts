import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, Type } from 'apache-arrow';
import { TestLake, baseTrade } from '../silver/test-fixtures/lake.js';
import { collect, runCli, spawnCli } from '../test/cli.js';
import { liveAnalystCatalog, type LiveCatalog } from './analyst-catalog.js';
import { createSqlApiHandler, serveSqlApi, sqlApiPath, type SqlApiServer } from './http-api.js';
import { runReadOnlyQuery } from './read-only-query.js';
import { snapshot } from './test-fixtures/lake-snapshot.js';

const token = 'test-token-0123456789abcdef';
let lake: TestLake;
let server: SqlApiServer;

function post(body: unknown, headers: Record<string, string> = {}, url = server.url): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  return fetch(url, { method: 'POST', headers: { 'Content-Type': type, Authorization: `Bearer ${token}`, ...headers }, body: text });
}

beforeAll(async () => {
  lake = await TestLake.create();
  await lake.land([
    { value: baseTrade, at: '2026-03-02T09:00:00Z' },
    { value: { ...baseTrade, trade_id: 'T2', quantity: 5 }, at: '2026-03-02T09:05:00Z' },
  ]);
  await lake.build({ businessDate: '2026-03-02' });
  server = await serveSqlApi({ store: lake.store, token, port: 0, recheckMs: 0 });
});

afterAll(async () => {
  await server?.close();
  await lake?.close();
});

describe('POST /api/sql', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/sql$/);
  });

  it('answers 401 without a token or with a wrong one, with WWW-Authenticate', async () => {
    const none = await fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'SELECT 1' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="lakehouse-sql"');
    expect(await none.json()).toEqual({ error: 'a bearer token is required (Authorization: Bearer <token>)' });
    for (const wrong of ['wrong', `${token}x`, token.slice(0, -1), '']) {
      const r = await post('SELECT 1', { Authorization: `Bearer ${wrong}` });
      expect(r.status, wrong).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="lakehouse-sql"/);
    }
    const basic = await post('SELECT 1', { Authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` });
    expect(basic.status).toBe(401);
  });

  it('answers rows as JSON with a good token', async () => {
    const r = await post({ sql: 'SELECT trade_id, quantity, recorded_from FROM silver.trades_current ORDER BY 1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toEqual({
      columns: [{ name: 'trade_id', type: 'VARCHAR' }, { name: 'quantity', type: 'DECIMAL(38,10)' }, { name: 'recorded_from', type: 'TIMESTAMP WITH TIME ZONE' }],
      rows: [
        { trade_id: 'T1', quantity: '1000.0000000000', recorded_from: '2026-03-02T09:00:00Z' },
        { trade_id: 'T2', quantity: '5.0000000000', recorded_from: '2026-03-02T09:05:00Z' },
      ],
      truncated: false,
    });
    const plain = await post('SELECT count(*) AS n FROM bronze.records');
    expect(await plain.json()).toMatchObject({ rows: [{ n: '2' }] });
  });

  it('answers Arrow IPC when asked, with the result\'s types', async () => {
    const r = await post(
      { sql: "SELECT trade_id, quantity, recorded_from, trade_date, version, count(*) OVER () AS n, true AS flag, 1.5::DOUBLE AS x, [1, 2] AS list FROM silver.trades_current ORDER BY 1" },
      { Accept: 'application/vnd.apache.arrow.stream' },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(r.headers.get('x-lakehouse-truncated')).toBe('false');
    const table = tableFromIPC(new Uint8Array(await r.arrayBuffer()));
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => [f.name, Type[f.type.typeId]])).toEqual([
      ['trade_id', 'Utf8'], ['quantity', 'Decimal'], ['recorded_from', 'Timestamp'], ['trade_date', 'Date'],
      ['version', 'Int'], ['n', 'Int'], ['flag', 'Bool'], ['x', 'Float'], ['list', 'Utf8'],
    ]);
    expect(table.schema.fields[1].type).toMatchObject({ scale: 10, precision: 38, bitWidth: 128 });
    expect(table.schema.fields[2].type).toMatchObject({ timezone: 'UTC' });
    expect(table.schema.metadata.get('truncated')).toBe('false');
    const rows = table.toArray().map((row) => row.toJSON());
    expect(rows.map((row) => row.trade_id)).toEqual(['T1', 'T2']);
    expect(rows.map((row) => row.n)).toEqual([2n, 2n]);
    expect(rows.map((row) => row.flag)).toEqual([true, true]);
    expect(rows.map((row) => row.x)).toEqual([1.5, 1.5]);
    expect(rows.map((row) => row.list)).toEqual(['[1,2]', '[1,2]']);
    expect(new Date(Number(table.getChild('recorded_from')!.get(0))).toISOString()).toBe('2026-03-02T09:00:00.000Z');
    expect(new Date(Number(table.getChild('trade_date')!.get(0))).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    // Decimal128: the unscaled value in four little-endian 32-bit words.
    const words = table.getChild('quantity')!.get(1) as Uint32Array;
    expect(BigInt(words[0]) + (BigInt(words[1]) << 32n)).toBe(50_000_000_000n);
  });

  it('answers Arrow for empty results and keeps NULLs', async () => {
    const arrow = { Accept: 'application/vnd.apache.arrow.stream' };
    const empty = tableFromIPC(new Uint8Array(await (await post('SELECT trade_id FROM silver.trades_current WHERE false', arrow)).arrayBuffer()));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['trade_id']);
    const sql = "SELECT * FROM (VALUES (1, NULL::DECIMAL(10,2), NULL::TIMESTAMPTZ, NULL::VARCHAR, NULL::BIGINT), (2, -1.25, TIMESTAMPTZ '2026-03-02 09:00:00Z', 'x', -7)) v(i, d, t, s, b) ORDER BY i";
    const table = tableFromIPC(new Uint8Array(await (await post(sql, arrow)).arrayBuffer()));
    const rows = table.toArray().map((row) => row.toJSON());
    expect(rows.map((r) => [r.t === null ? null : 'set', r.s, r.b])).toEqual([[null, null, null], ['set', 'x', -7n]]);
    expect(table.getChild('d')!.get(0)).toBeNull();
    // -1.25 at scale 2 is -125: two's complement in all four words.
    expect([...(table.getChild('d')!.get(1) as Uint32Array)]).toEqual([0xffffff83, 0xffffffff, 0xffffffff, 0xffffffff]);
  });

  it('refuses a DROP (and the other writes) with 400 and a message; the lake is unchanged', async () => {
    const lakeDir = join(lake.dir, 'lake');
    const before = snapshot(lakeDir);
    const drop = await post({ sql: 'DROP VIEW bronze.records' });
    expect(drop.status).toBe(400);
    expect(await drop.json()).toEqual({ error: 'read-only: DROP statements are refused; use SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN' });
    for (const sql of ["COPY (SELECT 1) TO 'x.csv'", 'SET threads = 1', "SELECT * FROM read_csv('/etc/passwd')", 'SELECT 1; DROP VIEW bronze.records', 'CREATE TEMP TABLE t AS SELECT 1']) {
      expect((await post({ sql })).status, sql).toBe(400);
    }
    expect(snapshot(lakeDir)).toEqual(before);
    expect((await (await post('SELECT count(*) AS n FROM bronze.records')).json()).rows).toEqual([{ n: '2' }]);
  });

  it('answers 405 to other methods, 404 elsewhere, 400 to a malformed body, 415 to other content types', async () => {
    const get = await fetch(server.url, { headers: { Authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(server.url.replace(sqlApiPath, '/other'), { method: 'POST' })).status).toBe(404);
    expect((await post('{"sql": ', { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await post({ query: 'SELECT 1' })).status).toBe(400);
    expect((await post({ sql: 'SELECT 1', maxRows: 0 })).status).toBe(400);
    expect((await post('sql=SELECT+1', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('cuts at maxRows and says so', async () => {
    const r = await post({ sql: 'SELECT * FROM range(10)', maxRows: 3 });
    expect(r.headers.get('x-lakehouse-truncated')).toBe('true');
    expect(await r.json()).toMatchObject({ rows: [{ range: '0' }, { range: '1' }, { range: '2' }], truncated: true });
  });

  it('answers a query on the new table version once one is published', async () => {
    await lake.land([{ value: { ...baseTrade, trade_id: 'T3' }, at: '2026-03-02T10:00:00Z' }]);
    const r = await post('SELECT count(*) AS n FROM bronze.records');
    expect((await r.json()).rows).toEqual([{ n: '3' }]);
  });
});

describe('the live catalog', () => {
  it('swaps in a new version for new leases and closes the old one when its last query is done', async () => {
    const live = liveAnalystCatalog({ store: lake.store, recheckMs: 0 });
    try {
      const first = await live.lease();
      await lake.land([{ value: { ...baseTrade, trade_id: 'T4' }, at: '2026-03-02T11:00:00Z' }]);
      const second = await live.lease();
      expect(second.catalog).not.toBe(first.catalog);
      expect(second.catalog.versions.bronze).toBe(first.catalog.versions.bronze! + 1);
      // The first lease's catalog still answers (on the version it was opened at) until released.
      expect((await runReadOnlyQuery(first.catalog, 'SELECT count(*) AS n FROM bronze.records')).rows).toEqual([{ n: '3' }]);
      expect((await runReadOnlyQuery(second.catalog, 'SELECT count(*) AS n FROM bronze.records')).rows).toEqual([{ n: '4' }]);
      expect(existsSync(first.catalog.path)).toBe(true);
      first.release();
      expect(existsSync(first.catalog.path)).toBe(false);
      second.release();
      const third = await live.lease();
      expect(third.catalog).toBe(second.catalog);
      third.release();
    } finally {
      await live.close();
    }
  });
});

describe('the handler mounted elsewhere, with small limits', () => {
  let live: LiveCatalog;
  let other: Server;
  let url: string;

  beforeAll(async () => {
    live = liveAnalystCatalog({ store: lake.store });
    other = createServer(createSqlApiHandler({ catalog: live.lease, token, timeoutMs: 300, maxBodyBytes: 200 }));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/sql`;
  });

  afterAll(async () => {
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
    await live.close();
  });

  it('answers 413 to a body over the limit', async () => {
    const r = await post({ sql: `SELECT '${'x'.repeat(500)}'` }, {}, url);
    expect(r.status).toBe(413);
  });

  it('stops a query that runs forever: 504 with a message, and goes on answering', async () => {
    const r = await post({ sql: 'SELECT count(*) FROM range(1000000000000) a' }, {}, url);
    expect(r.status).toBe(504);
    expect(await r.json()).toEqual({ error: 'query stopped: it ran longer than its time limit of 300 ms' });
    expect((await post('SELECT 1 AS one', {}, url)).status).toBe(200);
  });
});

describe('lakehouse sql --serve', () => {
  it('refuses to start without LAKEHOUSE_SQL_TOKEN (exit 2, one line)', async () => {
    const r = await runCli(['sql', '--serve', '--port', '0', '--lake', join(lake.dir, 'lake')], { env: { LAKEHOUSE_SQL_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lakehouse: sql --serve: set LAKEHOUSE_SQL_TOKEN to the bearer token clients must send; the SQL endpoint does not run without one');
  });

  it('serves on 127.0.0.1 until SIGTERM, and never logs the token', async () => {
    const child = spawnCli(['sql', '--serve', '--port', '0', '--lake', join(lake.dir, 'lake'), '--log-level', 'debug'], { env: { LAKEHOUSE_SQL_TOKEN: token } });
    const done = collect(child);
    const cliUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /POST (http:\/\/127\.0\.0\.1:\d+\/api\/sql)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`exited before serving: ${out}`)));
    });
    expect((await post('SELECT 1', { Authorization: 'Bearer nope' }, cliUrl)).status).toBe(401);
    const ok = await post({ sql: "SELECT trade_id FROM silver.trades_current WHERE trade_id = 'T1'" }, {}, cliUrl);
    expect(await ok.json()).toMatchObject({ rows: [{ trade_id: 'T1' }] });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('sql api request');
    expect(r.stderr).not.toContain(token);
  });
});
