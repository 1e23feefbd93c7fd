/**
 * `POST /api/sql` for BI tools: one read-only query per request, through the same checks, time limit and row
 * limit as `lakehouse sql`.
 *
 * Request: `Authorization: Bearer <token>` (compared in constant time with the server's token, env
 * LAKEHOUSE_SQL_TOKEN); body `{"sql": "...", "maxRows": n}` as application/json, or the SQL itself as text/plain
 * (or application/sql). Response: `Accept: application/vnd.apache.arrow.stream` gets Arrow IPC (header
 * X-Lakehouse-Truncated, schema metadata `truncated`); anything else JSON `{columns, rows, truncated}` with rows as
 * `lakehouse sql --format json` prints them.
 * Errors, as JSON `{error}`: 400 malformed request, refused statement or failed query; 401 no or wrong token
 * (WWW-Authenticate: Bearer); 405 not POST; 413 body over the limit; 415 other content types; 504 the query ran past
 * its time limit; 500 the catalog could not be opened.
 *
 * createSqlApiHandler is what a server mounts (the dashboard does); serveSqlApi runs it on its own
 * (`lakehouse sql --serve`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObjectStore } from '../store/object-store.js';
import type { Logger } from '../lib/log.js';
import { UsageError } from '../lib/errors.js';
import { liveAnalystCatalog, type CatalogLease } from './analyst-catalog.js';
import { JsonRowsSink, QueryFailedError, QueryRefusedError, QueryTimeoutError, streamReadOnlyQuery } from './read-only-query.js';
import { ArrowSink, arrowStreamType } from './arrow-result.js';

export const sqlApiPath = '/api/sql';
export const sqlTokenEnv = 'LAKEHOUSE_SQL_TOKEN';

export interface SqlApiOptions {
  /** The catalog to query, leased per request (liveAnalystCatalog().lease swaps in new table versions). */
  catalog: () => Promise<CatalogLease>;
  /** The bearer token clients must send. */
  token: string;
  /** Per-query time limit (default 300000 ms). */
  timeoutMs?: number;
  /** Row limit; a request's `maxRows` may lower it, not raise it (default 1000000). */
  maxRows?: number;
  /** Largest accepted body (default 1 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The bearer token from the environment; a UsageError (exit 2) when it is missing. Never logged. */
export function sqlTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const token = env[sqlTokenEnv];
  if (token === undefined || token.trim() === '') {
    throw new UsageError(`sql --serve: set ${sqlTokenEnv} to the bearer token clients must send; the SQL endpoint does not run without one`);
  }
  return token;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** Handles `POST /api/sql` (the caller routes the path). */
export function createSqlApiHandler(options: SqlApiOptions): RequestHandler {
  const { timeoutMs = 300_000, maxRows = 1_000_000, maxBodyBytes = 1 << 20, logger } = options;
  if (options.token === '') throw new UsageError('the SQL endpoint needs a non-empty token');
  const expected = digest(options.token);

  return async (req, res) => {
    const started = performance.now();
    let status = 200;
    let rowCount = 0;
    try {
      checkToken(req.headers.authorization, expected);
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed: POST the query`, { Allow: 'POST' });
      const { sql, maxRows: askedRows } = await readQuery(req, maxBodyBytes);
      const limit = Math.min(maxRows, askedRows ?? maxRows);
      const arrow = (req.headers.accept ?? '').includes(arrowStreamType);
      const lease = await options.catalog().catch((err: unknown) => {
        logger?.error({ err }, 'sql api: the catalog could not be opened');
        throw new HttpError(500, 'the lakehouse catalog could not be opened');
      });
      let connection;
      try {
        connection = await lease.catalog.db.connect();
        // A client that goes away stops its query.
        const abandon = () => { if (!res.writableEnded) connection!.interrupt(); };
        res.on('close', abandon);
        try {
          const sink = arrow ? new ArrowSink() : new JsonRowsSink();
          const result = await streamReadOnlyQuery(lease.catalog, sql, { timeoutMs, maxRows: limit, connection }, sink);
          rowCount = result.rowCount;
          if (sink instanceof ArrowSink) {
            const body = sink.ipc({ truncated: String(result.truncated), versions: JSON.stringify(lease.catalog.versions) });
            res.writeHead(200, { 'Content-Type': arrowStreamType, 'Content-Length': body.byteLength, 'X-Lakehouse-Truncated': String(result.truncated) });
            res.end(body);
          } else {
            send(res, 200, { columns: sink.columns, rows: sink.rows, truncated: result.truncated }, { 'X-Lakehouse-Truncated': String(result.truncated) });
          }
        } finally {
          res.off('close', abandon);
        }
      } finally {
        connection?.closeSync();
        lease.release();
      }
    } catch (err) {
      const e = asHttpError(err);
      status = e.status;
      if (status === 500) logger?.error({ err }, 'sql api: request failed');
      if (!res.headersSent) send(res, status, { error: e.message }, e.headers);
      else res.destroy();
    } finally {
      logger?.info({ method: req.method, status, rows: rowCount, ms: Math.round(performance.now() - started) }, 'sql api request');
    }
  };
}

function asHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof QueryTimeoutError) return new HttpError(504, err.message);
  if (err instanceof QueryRefusedError || err instanceof QueryFailedError || err instanceof UsageError) return new HttpError(400, err.message);
  return new HttpError(500, 'internal error');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function checkToken(header: string | undefined, expected: Buffer): void {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m === null) {
    throw new HttpError(401, 'a bearer token is required (Authorization: Bearer <token>)', { 'WWW-Authenticate': 'Bearer realm="lakehouse-sql"' });
  }
  // Digests of equal length, compared in constant time: neither the token nor its length leaks through timing.
  if (!timingSafeEqual(digest(m[1]), expected)) {
    throw new HttpError(401, 'the bearer token is not valid', { 'WWW-Authenticate': 'Bearer realm="lakehouse-sql", error="invalid_token"' });
  }
}

async function readQuery(req: IncomingMessage, maxBodyBytes: number): Promise<{ sql: string; maxRows?: number }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`, { Connection: 'close' });
  const type = (req.headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const isJson = type === 'application/json' || type.endsWith('+json');
  if (!isJson && type !== 'text/plain' && type !== 'application/sql') {
    throw new HttpError(415, `unsupported content type ${type}: send application/json {"sql": "..."} or text/plain SQL`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`, { Connection: 'close' });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!isJson) {
    if (text.trim() === '') throw new HttpError(400, 'the body is empty: send the SQL');
    return { sql: text };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON: send {"sql": "..."}');
  }
  if (body === null || typeof body !== 'object' || typeof (body as { sql?: unknown }).sql !== 'string') {
    throw new HttpError(400, 'the body must be {"sql": "<query>", "maxRows"?: n}');
  }
  const { sql, maxRows } = body as { sql: string; maxRows?: unknown };
  if (maxRows !== undefined && !(Number.isInteger(maxRows) && (maxRows as number) >= 1)) throw new HttpError(400, 'maxRows must be an integer >= 1');
  return { sql, maxRows: maxRows as number | undefined };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export interface SqlApiServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `POST /api/sql` on its own (404 elsewhere), over a live catalog of the lake. */
export async function serveSqlApi(options: {
  store: ObjectStore;
  token: string;
  host?: string;
  port?: number;
  timeoutMs?: number;
  maxRows?: number;
  recheckMs?: number;
  logger?: Logger;
}): Promise<SqlApiServer> {
  const { host = '127.0.0.1', port = 0, logger } = options;
  const live = liveAnalystCatalog({ store: options.store, logger, recheckMs: options.recheckMs });
  // Open it now: a lake that cannot be read fails the start, not the first request.
  (await live.lease()).release();
  const handler = createSqlApiHandler({ catalog: live.lease, token: options.token, timeoutMs: options.timeoutMs, maxRows: options.maxRows, logger });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === sqlApiPath) {
      void handler(req, res);
      return;
    }
    send(res, 404, { error: `not found: ${path} (the SQL endpoint is POST ${sqlApiPath})` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${sqlApiPath}`,
    host: address.address,
    port: address.port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await live.close();
    },
  };
}
