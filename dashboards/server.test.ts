/**
 * The dashboard's HTTP side on a lake with gold: the page and its assets, the read-only and loopback-only rules, the
 * data against gold.lcr, and the event stream announcing a new gold version as it is published.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGold } from '../gold/build-gold.js';
import type { TestLake } from '../silver/test-fixtures/lake.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import type { DashboardData } from './dashboard-data.js';
import { days, goldLake, knownAt, latestLcr } from './test-fixtures/gold-lake.js';

let lake: TestLake;
let server: DashboardServer;
const mounted: string[] = [];
beforeAll(async () => {
  lake = await goldLake();
  server = await startDashboardServer({
    store: lake.store, port: 0, pollIntervalMs: 200,
    routes: { '/api/mounted': (req, res) => { mounted.push(req.method ?? ''); res.writeHead(201).end('mounted'); } },
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await lake?.close();
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A request sent as written: no URL normalisation, so "/../" reaches the server as is. */
function send(path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The `gold-version` events of /api/events, as they come. */
function subscribe(port: number): { events: { version: number | null }[]; next(count: number, timeoutMs: number): Promise<void>; close(): void; ended: Promise<void> } {
  const events: { version: number | null }[] = [];
  let wake = () => {};
  let res: IncomingMessage | undefined;
  let resolveEnded = () => {};
  const ended = new Promise<void>((resolve) => { resolveEnded = resolve; });
  const req = request({ host: '127.0.0.1', port, path: '/api/events' }, (r) => {
    res = r;
    let buffer = '';
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.includes('event: gold-version')) continue;
        events.push(JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
        wake();
      }
    });
    r.on('end', resolveEnded);
    r.on('close', resolveEnded);
  });
  req.on('error', () => resolveEnded());
  req.end();
  return {
    events,
    ended,
    next: (count, timeoutMs) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${count} events within ${timeoutMs} ms: ${JSON.stringify(events)}`)), timeoutMs);
      wake = () => {
        if (events.length < count) return;
        clearTimeout(timer);
        resolve();
      };
      wake();
    }),
    close: () => { res?.destroy(); req.destroy(); },
  };
}

describe('the dashboard server', () => {
  it('serves the page, its scripts and Chart.js from this origin, with nosniff and a self-only CSP', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe');
    for (const src of page.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const asset = await send(src[1]);
      expect(asset.status, src[1]).toBe(200);
      expect(asset.headers['content-type']).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
    const chart = await send('/assets/chart.umd.min.js');
    expect(chart.body).toContain('Chart.js v4');
    expect((await send('/assets/dashboard.js', { headers: { 'If-None-Match': (await send('/assets/dashboard.js')).headers.etag! } })).status).toBe(304);
  });

  it('answers 405 to anything but GET, naming GET in Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/', '/api/dashboard', '/api/events']) {
        const reply = await send(path, { method });
        expect([method, path, reply.status, reply.headers.allow]).toEqual([method, path, 405, 'GET']);
      }
    }
  });

  it('answers 404 to a path that is not one of its own', async () => {
    for (const path of ['/index.html', '/assets/', '/assets/server.ts', '/node_modules/chart.js/package.json', '/api']) {
      expect([path, (await send(path)).status]).toEqual([path, 404]);
    }
  });

  it('refuses paths that try to climb out of its files', async () => {
    for (const path of ['/assets/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/package.json', '/assets/..\\..\\package.json', '/../../../../etc/passwd']) {
      const reply = await send(path);
      expect([path, reply.status]).toEqual([path, 400]);
      expect(reply.body).not.toContain('treasury-lakehouse');
    }
  });

  it('refuses a request addressed to a name other than loopback (DNS rebinding)', async () => {
    expect((await send('/api/dashboard', { headers: { Host: 'attacker.example:8080' } })).status).toBe(403);
    expect((await send('/api/dashboard', { headers: { Host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('validates its query parameters', async () => {
    for (const query of ['drivers=0', 'drivers=21', 'drivers=x', 'drivers=2&drivers=3', 'entity=BANK_A%27--', 'limit=5']) {
      expect([query, (await send(`/api/dashboard?${query}`)).status]).toEqual([query, 400]);
    }
    expect((await send('/api/events?x=1')).status).toBe(400);
    const one = JSON.parse((await send('/api/dashboard?entity=BANK_B&drivers=2')).body) as DashboardData;
    expect(one.entities.map((e) => [e.legalEntity, e.drivers.rows.length])).toEqual([['BANK_B', 2]]);
  });

  it("gives each entity's LCR, dates and breach flags as gold.lcr has them", async () => {
    const reply = await send('/api/dashboard');
    expect(reply.headers['cache-control']).toBe('no-store');
    const data = JSON.parse(reply.body) as DashboardData;
    expect([data.goldVersion, data.asOfDate]).toEqual([2, days[1]]);
    const gold = await lake.query('SELECT legal_entity, as_of_date, lcr, hqla_total, net_cash_outflows, below_minimum, below_internal_limit FROM gold.lcr ORDER BY ALL');
    const shown = data.entities.flatMap((e) => e.history.map((p) => ({
      legal_entity: e.legalEntity, as_of_date: p.asOfDate, lcr: p.lcr, hqla_total: p.hqlaTotal, net_cash_outflows: p.netCashOutflows,
      below_minimum: p.belowMinimum, below_internal_limit: p.belowInternalLimit,
    })));
    expect(shown).toEqual(gold);
    for (const entity of data.entities) {
      expect(entity.latest.asOfDate).toBe(days[1]);
      expect(entity.hqlaByLevel.map((l) => l.level)).toEqual(['level1', 'level2a', 'level2b']);
      expect(entity.flows.length).toBeGreaterThanOrEqual(2);
      expect(entity.drivers.previousDate).toBe(days[0]);
      expect(entity.drivers.rows.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('hands mounted routes every method', async () => {
    const reply = await send('/api/mounted', { method: 'POST' });
    expect([reply.status, reply.body, mounted]).toEqual([201, 'mounted', ['POST']]);
  });

  it('announces a new gold version on /api/events, after which /api/dashboard has it', async () => {
    const stream = subscribe(server.port);
    try {
      await stream.next(1, 5_000);
      expect(stream.events[0].version).toBe(2);
      const lease = server.live.lease();
      const published = await buildGold({ store: lake.store, businessDate: days[2], knownAt });
      expect([published.published, published.version]).toEqual([true, 3]);
      await stream.next(2, 5_000);
      expect(stream.events[1].version).toBe(3);
      const data = JSON.parse((await send('/api/dashboard')).body) as DashboardData;
      expect([data.goldVersion, data.asOfDate]).toEqual([3, days[2]]);
      expect(data.entities.map((e) => [e.legalEntity, e.latest.lcr])).toEqual((await latestLcr(lake)).map((r) => [r.legal_entity, r.lcr]));
      // A lease taken before the change still reads the version it was taken on, until released.
      const leased = (await lease.catalog.db.connection.runAndReadAll('SELECT max(gold_version) AS v FROM gold.lcr')).getRowObjectsJson();
      expect(leased).toEqual([{ v: 2 }]);
      lease.release();
      await expect(lease.catalog.db.connection.runAndReadAll('SELECT 1')).rejects.toThrow();
    } finally {
      stream.close();
    }
  });

  it('closes with an event stream still open', async () => {
    const other = await startDashboardServer({ store: lake.store, port: 0 });
    const stream = subscribe(other.port);
    await stream.next(1, 5_000);
    const started = performance.now();
    await other.close();
    await stream.ended;
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
