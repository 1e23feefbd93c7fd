/**
 * GET /metrics for a node:http server: the handler answers whatever request it is given, so mount it at the path,
 * e.g. in the dashboard server's `routes: { '/metrics': metricsHandler({ store, lag }) }`. GET and HEAD get the
 * Prometheus text; other methods 405. Concurrent scrapes share one rendering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import type { IngestLagProvider } from './ingest-lag.js';
import { renderMetrics } from './prometheus.js';
import { contentType } from './prometheus-text.js';
import { safeErrorMessage } from './run-log.js';

export interface MetricsHandlerOptions {
  store: ObjectStore;
  lag?: IngestLagProvider;
  logger?: Logger;
  clock?: () => number;
}

/** Resolves once the response is written; never rejects. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function metricsHandler(options: MetricsHandlerOptions): MetricsHandler {
  const { clock = Date.now } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'metrics-http' });
  let rendering: Promise<string> | null = null;
  const render = () => {
    rendering ??= renderMetrics({ store: options.store, lag: options.lag, logger: options.logger, now: clock() }).finally(() => {
      rendering = null;
    });
    return rendering;
  };
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    try {
      const text = await render();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (err) {
      log.error({ err: safeErrorMessage(err) }, 'metrics: rendering failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('metrics unavailable\n');
    }
  };
}
