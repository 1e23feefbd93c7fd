/**
 * Server-sent events for the page: each client gets the current gold version on connecting, then a `gold-version`
 * event whenever a new one is in place, and a comment line as a heartbeat so proxies and idle timers keep the
 * connection. Clients past `maxClients` are refused (503) rather than holding sockets without bound.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EventStreamOptions {
  heartbeatMs?: number;
  maxClients?: number;
  /** Sent as `retry:`: how long the browser waits before reconnecting. */
  retryMs?: number;
}

export interface GoldVersionEvent {
  version: number | null;
  computedAt: string | null;
  asOfDate: string | null;
}

export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: EventStreamOptions = {}) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response; false when there are too many clients already (nothing was written). */
  accept(req: IncomingMessage, res: ServerResponse, first: GoldVersionEvent): boolean {
    if (this.clients.size >= (this.options.maxClients ?? 64)) return false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${this.options.retryMs ?? 2_000}\n\n`);
    res.write(goldVersionEvent(first));
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
    return true;
  }

  publish(event: GoldVersionEvent): void {
    this.write(goldVersionEvent(event));
  }

  /** Ends every stream (the browser would reconnect to a server that is going away: it then fails and retries). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}

function goldVersionEvent(event: GoldVersionEvent): string {
  return `event: gold-version\nid: ${event.version ?? 0}\ndata: ${JSON.stringify(event)}\n\n`;
}
