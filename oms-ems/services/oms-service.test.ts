/**
 * The OMS service on the embedded event log, trading with a real `lakehouse fix-venue` over FIX: in this process
 * (runOmsService), and as `lakehouse service oms` followed by `service trade-capture` and `service positions`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../../bus/event-log.js';
import { collect, runCli, spawnCli } from '../../test/cli.js';
import { startFixVenue, type FixVenueProcess } from '../../test/fix-venue-process.js';
import { topicValidator } from '../../test/json-schema-validator.js';
import { until } from '../../test/until.js';
import { instrumentEvent } from '../capture/test-fixtures/events.js';
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { OrderEvent } from '../schemas/order-event.js';
import { runOmsService } from './oms-service.js';
import { readTopic } from './test-fixtures/read-topic.js';
import { referenceRecords } from './test-fixtures/simulated-day.js';

const UST = 'US912828ZT05';
const symbols = `${UST}=99.5,US0378331005=185.3,DE0001102580=101.2`;
const validExecution = topicValidator('executions');
const validOrder = topicValidator('orders');
/** The embedded event log, whatever the environment says. */
const env = { KAFKA_BROKERS: '' };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oms-service-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function venue(): Promise<FixVenueProcess> {
  const v = await startFixVenue(['--comp-id', 'XVEN', '--counterparties', 'OMS', '--symbols', symbols, '--log-level', 'warn']);
  cleanups.push(() => v.stop());
  return v;
}

const order = (overrides: Record<string, unknown> = {}) => ({
  client_order_id: 'C-1', account_id: 'ACC-1', book_id: 'BOOK-1', legal_entity: 'BANK_A', instrument_id: UST, side: 'BUY',
  order_type: 'LIMIT', quantity: 1_000, limit_price: 99.55, currency: 'USD', ...overrides,
});

function post(url: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  return fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) }, body: JSON.stringify(body) });
}

async function status(url: string, orderId: string): Promise<string> {
  return ((await (await fetch(`${url}/orders/${orderId}`)).json()) as { status: string }).status;
}

async function settled(url: string, orderId: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await status(url, orderId);
    if (s !== 'NEW' && s !== 'PARTIALLY_FILLED') return s;
    if (Date.now() > deadline) throw new Error(`order ${orderId} still ${s}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runOmsService on the embedded event log', () => {
  it('takes an order once per Idempotency-Key, fills it at the venue, follows new instruments and writes every event', async () => {
    const bus = new EventLog({ dir: await tempDir(), pollIntervalMs: 10 });
    cleanups.push(() => bus.close());
    const producer = await bus.producer();
    cleanups.push(() => producer.close());
    await producer.send(referenceRecords());
    const v = await venue();
    const abort = new AbortController();
    let url = '';
    const running = runOmsService({
      bus, venues: [{ venue: 'XVEN', host: '127.0.0.1', port: v.port }], port: 0, signal: abort.signal, flushIntervalMs: 10,
      clearingCounterparties: { XVEN: 'CP0001' }, onListening: (u) => { url = u; },
    });
    cleanups.push(async () => {
      abort.abort();
      await running.catch(() => {});
    });
    await Promise.race([until(() => url !== '', 'the OMS to listen'), running]);

    const first = await post(url, order(), 'order-1');
    expect(first.status).toBe(201);
    const placed = (await first.json()) as { order_id: string; status: string };
    const again = await post(url, order(), 'order-1');
    expect([again.status, again.headers.get('idempotent-replayed'), ((await again.json()) as { order_id: string }).order_id]).toEqual([201, 'true', placed.order_id]);
    expect(await settled(url, placed.order_id)).toBe('FILLED');

    // Not in the instrument master: refused before trade. Published now: tradable once the service has read it.
    const unknown = await post(url, order({ instrument_id: 'XS1111111111', order_type: 'MARKET', limit_price: null, quantity: 100 }));
    expect([unknown.status, ((await unknown.json()) as { status: string }).status]).toEqual([200, 'REJECTED']);
    await producer.send([{ topic: 'ref.instruments', key: 'XS1111111111', value: instrumentEvent({ instrument_id: 'XS1111111111', isin: 'XS1111111111', asset_class: 'CORPORATE_BOND', price: 98 }) }]);
    let later: { order_id: string; status: string } = { order_id: '', status: 'REJECTED' };
    for (let attempt = 0; later.status === 'REJECTED' && attempt < 100; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50));
      later = (await (await post(url, order({ instrument_id: 'XS1111111111', order_type: 'MARKET', limit_price: null, quantity: 100 }), `later-${attempt}`)).json()) as typeof later;
    }
    expect(await settled(url, later.order_id)).toBe('FILLED');

    abort.abort();
    const summary = await running;
    expect(summary).toMatchObject({ unsent: 0, instruments: 5, routed: 2, rejected_no_venue: 0, by_venue: { XVEN: 2 } });

    const orders = (await readTopic<OrderEvent>(bus, 'orders')).map((r) => r.json);
    const executions = (await readTopic<ExecutionEvent>(bus, 'executions')).map((r) => r.json);
    expect([orders.length, executions.length]).toEqual([summary.orders_events, summary.executions_events]);
    for (const e of orders) expect(validOrder(e), JSON.stringify(validOrder.errors)).toBe(true);
    for (const e of executions) expect(validExecution(e), JSON.stringify(validExecution.errors)).toBe(true);
    const ofPlaced = orders.filter((e) => e.order_id === placed.order_id);
    expect(ofPlaced.map((e) => [e.event_type, e.status, e.idempotency_key])).toEqual([['ORDER_ACCEPTED', 'NEW', 'order-1'], ['ORDER_FILLED', 'FILLED', null]]);
    const fills = executions.filter((e) => e.order_id === placed.order_id);
    expect(fills.map((e) => [e.exec_type, e.venue, e.counterparty_id, e.last_quantity, e.last_price])).toEqual([['NEW', 'XVEN', 'CP0001', 0, 0], ['FILL', 'XVEN', 'CP0001', 1_000, 99.51]]);
    expect(executions.filter((e) => e.order_id === later.order_id).map((e) => e.exec_type).at(-1)).toBe('FILL');
  });

  it('fails to start when a venue cannot be reached, and leaves the bus usable', async () => {
    const bus = new EventLog({ dir: await tempDir(), pollIntervalMs: 10 });
    cleanups.push(() => bus.close());
    const closed = await venue();
    const port = closed.port;
    await closed.stop();
    await expect(runOmsService({ bus, venues: [{ venue: 'XVEN', host: '127.0.0.1', port }], port: 0, signal: new AbortController().signal, referenceWaitMs: 1_000 }))
      .rejects.toThrow(/FIX connection failed/);
    const producer = await bus.producer();
    await producer.close();
  });
});

describe('lakehouse service', () => {
  it('runs the OMS until SIGTERM, flushing its events, then trade capture and position keeping over them', async () => {
    const dir = await tempDir();
    const eventLog = join(dir, 'eventlog');
    const seed = new EventLog({ dir: eventLog });
    const producer = await seed.producer();
    await producer.send(referenceRecords());
    await producer.close();
    await seed.close();
    const v = await venue();

    const oms = spawnCli(['service', 'oms', '--event-log', eventLog, '--venue', `XVEN=127.0.0.1:${v.port}`, '--port', '0', '--clearing', 'XVEN=CP0001', '--flush-interval-ms', '5'], { env });
    const result = collect(oms);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      oms.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      oms.once('exit', (code) => reject(new Error(`service oms exited (${code})`)));
    });
    const ids: string[] = [];
    for (const [i, side] of (['BUY', 'SELL', 'BUY'] as const).entries()) {
      const r = await post(url, order({ side, limit_price: side === 'BUY' ? 99.55 : 99.45, quantity: 1_000 * (i + 1) }), `k-${i}`);
      ids.push(((await r.json()) as { order_id: string }).order_id);
    }
    for (const id of ids) expect(await settled(url, id)).toBe('FILLED');
    oms.kill('SIGTERM');
    const omsRun = await result;
    expect(omsRun.code, omsRun.stderr).toBe(0);
    const omsSummary = JSON.parse(omsRun.stdout.trim().split('\n').at(-1)!);
    expect(omsSummary).toMatchObject({ unsent: 0, routed: 3, by_venue: { XVEN: 3 } });

    const capture = await runCli(['service', 'trade-capture', '--event-log', eventLog, '--stop-when-caught-up'], { env });
    expect(capture.code, capture.stderr).toBe(0);
    const captured = JSON.parse(capture.stdout.trim());
    expect(captured).toMatchObject({ executions: omsSummary.executions_events, dead_lettered: 0 });
    expect(captured.trades).toBeGreaterThanOrEqual(3);
    const positions = await runCli(['service', 'positions', '--event-log', eventLog, '--stop-when-caught-up'], { env });
    expect(positions.code, positions.stderr).toBe(0);
    expect(JSON.parse(positions.stdout.trim())).toMatchObject({ trades: captured.trades, reconcile: { ok: true } });

    const bus = new EventLog({ dir: eventLog });
    try {
      const orders = (await readTopic<OrderEvent>(bus, 'orders')).map((r) => r.json);
      expect(orders.length).toBe(omsSummary.orders_events);
      expect(orders.filter((e) => e.event_type === 'ORDER_ACCEPTED').map((e) => e.idempotency_key).sort()).toEqual(['k-0', 'k-1', 'k-2']);
      expect((await readTopic(bus, 'executions')).length).toBe(omsSummary.executions_events);
    } finally {
      await bus.close();
    }
  });

  it('prints help for itself and each service, and exits 2 naming a bad option or value', async () => {
    const top = await runCli(['service', '--help']);
    expect([top.code, top.stdout]).toEqual([0, expect.stringMatching(/^Usage: lakehouse service <oms\|trade-capture\|positions>/)]);
    for (const service of ['oms', 'trade-capture', 'positions']) {
      const r = await runCli(['service', service, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: lakehouse service ${service}`));
      expect(r.stdout).toContain('--brokers');
    }
    const dir = await tempDir();
    const badLimits = join(dir, 'limits.json');
    await writeFile(badLimits, JSON.stringify({ defaults: { maxOrderQuantity: -1 }, acounts: {} }));
    for (const [args, message] of [
      [['service'], 'Usage: lakehouse service'],
      [['service', 'risk'], 'unknown service "risk"'],
      [['service', 'oms'], '--venue is required'],
      [['service', 'oms', '--venue', 'XLON=localhost'], '--venue: "XLON=localhost" must be NAME=host:port'],
      [['service', 'oms', '--venue', 'A=h:1,A=h:2'], '--venue: A is given twice'],
      [['service', 'oms', '--venue', 'A=h:1', '--clearing', 'B=CP1'], '--clearing: B is not a --venue'],
      [['service', 'oms', '--venue', 'A=h:1', '--port', 'http'], '--port'],
      [['service', 'oms', '--venue', 'A=h:1', '--limits', join(dir, 'missing.json')], '--limits: cannot read'],
      [['service', 'oms', '--venue', 'A=h:1', '--limits', badLimits], 'defaults.maxOrderQuantity'],
      [['service', 'oms', '--venue', 'A=h:1', '--stop-when-caught-up'], "Unknown option '--stop-when-caught-up'"],
      [['service', 'positions', '--venue', 'A=h:1'], "Unknown option '--venue'"],
      [['service', 'trade-capture', '--brokers', 'nohost'], '--brokers'],
    ] as const) {
      const r = await runCli([...args], { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr + r.stdout).toContain(message);
      if (args.length > 1) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
