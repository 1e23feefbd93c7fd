/**
 * The one server users open: the live dashboard (dashboards/server.ts) with `GET /metrics` (Prometheus text:
 * metrics/handler.ts) and, when LAKEHOUSE_SQL_TOKEN is set, `POST /api/sql` for BI tools (sql/http-api.ts) mounted on
 * it. Used by `lakehouse dashboard` and `lakehouse demo --serve`.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { Logger } from '../lib/log.js';
import { createSqlApiHandler, sqlApiPath, sqlTokenEnv } from '../sql/http-api.js';
import { liveAnalystCatalog } from '../sql/analyst-catalog.js';
import { metricsHandler } from '../metrics/handler.js';
import { openIngestLagProvider } from '../metrics/ingest-lag.js';
import { startDashboardServer, type RouteHandler } from './server.js';

export interface ServeLakehouseOptions {
  store: ObjectStore;
  host?: string;
  port?: number;
  internalLimit?: string;
  /** Where ingest lag is measured (the bus the pipeline consumes). */
  eventLogDir: string;
  kafkaBrokers?: string[];
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface LakehouseServer {
  url: string;
  metricsUrl: string;
  /** Null when LAKEHOUSE_SQL_TOKEN is not set. */
  sqlUrl: string | null;
  close(): Promise<void>;
}

export async function serveLakehouse(options: ServeLakehouseOptions): Promise<LakehouseServer> {
  const { store, logger } = options;
  const env = options.env ?? process.env;
  const lag = openIngestLagProvider({ kafkaBrokers: options.kafkaBrokers, eventLogDir: options.eventLogDir, logger });
  const routes: Record<string, RouteHandler> = { '/metrics': metricsHandler({ store, lag, logger }) };
  const token = env[sqlTokenEnv];
  const live = token === undefined || token.trim() === '' ? null : liveAnalystCatalog({ store, logger });
  if (live !== null) routes[sqlApiPath] = createSqlApiHandler({ catalog: live.lease, token: token!, logger });
  try {
    const server = await startDashboardServer({ store, host: options.host, port: options.port, internalLimit: options.internalLimit, routes, logger });
    const base = server.url.replace(/\/$/, '');
    return {
      url: server.url,
      metricsUrl: `${base}/metrics`,
      sqlUrl: live === null ? null : `${base}${sqlApiPath}`,
      async close() {
        await server.close();
        await live?.close();
        await lag.close();
      },
    };
  } catch (err) {
    await live?.close();
    await lag.close();
    throw err;
  }
}
