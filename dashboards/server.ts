/**
 * The live LCR dashboard over HTTP: `/` the page, `/assets/*` its scripts, styles and Chart.js, `/api/dashboard` the
 * page's data as JSON, `/api/events` server-sent events announcing each new gold version. Read-only: GET only, 405
 * otherwise; bound to 127.0.0.1 unless told otherwise, and while bound to loopback it answers only requests
 * addressed to a loopback name (a page on another site cannot reach it through DNS rebinding). Every response
 * carries nosniff and a Content-Security-Policy that allows this origin only.
 *
 * `routes` mounts other handlers by exact path, any method (the SQL endpoint, /metrics): they run before the GET-only
 * rule and answer for themselves.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { EventStream } from './event-stream.js';
import { LiveGold } from './live-gold.js';
import { loadStaticAssets } from './static-assets.js';
import type { DashboardData } from './dashboard-data.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface DashboardServerOptions {
  store: ObjectStore;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 8080; 0 = any free port, see `url`). */
  port?: number;
  /** The internal LCR limit to show and alert on, a ratio such as "1.10" (default each gold run's own). */
  internalLimit?: string;
  /** How often gold's log is checked for a new version. */
  pollIntervalMs?: number;
  heartbeatMs?: number;
  maxEventClients?: number;
  /** Extra handlers by exact path (e.g. '/api/sql', '/metrics'); they see every method. */
  routes?: Record<string, RouteHandler>;
  /** Host header names accepted; default: loopback names when bound to loopback, anything otherwise. */
  allowedHosts?: string[];
  logger?: Logger;
}

export interface DashboardServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  live: LiveGold;
  close(): Promise<void>;
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const loopbackHosts = ['127.0.0.1', 'localhost', '::1', '[::1]'];

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { host = '127.0.0.1', port = 8080, routes = {} } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'dashboard' });
  const assets = loadStaticAssets();
  const allowedHosts = options.allowedHosts ?? (loopbackHosts.includes(host) ? loopbackHosts : null);
  const live = await LiveGold.open({ store: options.store, internalLimit: options.internalLimit, pollIntervalMs: options.pollIntervalMs, logger: options.logger });
  const events = new EventStream({ heartbeatMs: options.heartbeatMs, maxClients: options.maxEventClients });
  const unsubscribe = live.onVersion((data) => events.publish(versionEvent(data)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    if (allowedHosts !== null && !allowedHosts.includes(hostName(req.headers.host))) return sendError(res, 403, 'unexpected Host header');
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    // Paths are matched exactly against fixed names, never resolved: anything that looks like a way out is refused.
    if (!path.startsWith('/') || /\.\.|%|\\|\0/.test(path)) return sendError(res, 400, 'bad path');
    const route = routes[path];
    if (route !== undefined) return route(req, res);
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendError(res, 405, `${req.method} is not allowed: the dashboard is read-only`);
    }
    const params = new URLSearchParams(query === -1 ? '' : target.slice(query + 1));
    if (path === '/api/dashboard') return sendDashboard(res, params, live.data);
    if (path === '/api/events') {
      if (params.size > 0) return sendError(res, 400, '/api/events takes no parameters');
      if (!events.accept(req, res, versionEvent(live.data))) sendError(res, 503, 'too many event streams open');
      return;
    }
    const asset = assets.get(path);
    if (asset === undefined) return sendError(res, 404, 'not found');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': asset.body.length }).end(asset.body);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => log.debug({ method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    Promise.resolve(handle(req, res)).catch((err: unknown) => {
      log.error({ err: (err as Error).message, path: req.url?.split('?')[0] }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    unsubscribe();
    events.close();
    await live.close();
    throw err;
  }
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
  log.info({ url, goldVersion: live.version }, 'dashboard serving');

  let closing: Promise<void> | null = null;
  return {
    url,
    port: bound,
    live,
    close() {
      closing ??= (async () => {
        unsubscribe();
        events.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        await closed;
        clearTimeout(force);
        await live.close();
      })();
      return closing;
    },
  };
}

function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  const match = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(header.trim().toLowerCase());
  return match?.[1] ?? '';
}

function versionEvent(data: DashboardData) {
  return { version: data.goldVersion, computedAt: data.computedAt, asOfDate: data.asOfDate };
}

const entityPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** `?entity=ID` (repeatable) keeps those entities; `?drivers=N` (1-20, default 5) the top N drivers. */
function sendDashboard(res: ServerResponse, params: URLSearchParams, data: DashboardData): void {
  const unknown = [...params.keys()].filter((k) => k !== 'entity' && k !== 'drivers');
  if (unknown.length > 0) return sendError(res, 400, `unknown parameter: ${unknown[0].slice(0, 40)} (parameters: entity, drivers)`);
  const entities = params.getAll('entity');
  if (entities.some((e) => !entityPattern.test(e))) return sendError(res, 400, 'entity: letters, digits, "_", "-" and "." only, at most 64');
  const driversParam = params.getAll('drivers');
  if (driversParam.length > 1 || (driversParam.length === 1 && !/^([1-9]|1\d|20)$/.test(driversParam[0]))) return sendError(res, 400, 'drivers: an integer from 1 to 20');
  const topDrivers = driversParam.length === 1 ? Number(driversParam[0]) : 5;
  const body = {
    ...data,
    entities: data.entities
      .filter((e) => entities.length === 0 || entities.includes(e.legalEntity))
      .map((e) => ({ ...e, drivers: { ...e.drivers, rows: e.drivers.rows.slice(0, topDrivers) } })),
  };
  sendJson(res, 200, body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}
