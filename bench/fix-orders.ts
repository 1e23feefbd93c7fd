/**
 * FIX order round trips over TCP: our initiator sends NewOrderSingle with a fixed number in flight and counts an order
 * done when its filling ExecutionReport (OrdStatus 2) is back. Two peers, each in a process of its own:
 * - our venue (`lakehouse fix-venue --app venue`, from dist/ when built, else through vite-node);
 * - the QuickFIX C++ venue (test/quickfix-venue.cpp: ack and fill), when libquickfix-dev and g++ are installed.
 * Each run starts with untimed warm-up orders. Target: >= 10,000 orders/s against our venue with 10 in flight.
 *   npx vite-node bench/fix-orders.ts
 * Options: BENCH_ORDERS (default 10000), BENCH_IN_FLIGHT (default 10), BENCH_WARMUP (default 2000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { binPath, shippedNodeFlags } from '../lib/node-flags.js';
import { connectFix, type FixInitiator } from '../oms-ems/fix/initiator.js';
import { repoRoot, startQuickfixVenue } from '../test/quickfix-peer.js';
import { listeningPort } from '../test/fix-venue-process.js';
import { Ems } from '../oms-ems/ems/ems.js';
import { FixVenueConnection } from '../oms-ems/ems/fix-venue-connection.js';
import { Oms } from '../oms-ems/oms/oms.js';
import { formatUtcTimestamp } from '../oms-ems/fix/utc-timestamp.js';

const orders = Number(process.env.BENCH_ORDERS ?? 10_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 2_000);

interface Result { ordersPerSecond: number; p50Ms: number; p99Ms: number }

/** Sends `count` orders keeping `inFlight` outstanding; resolves when every one is filled. */
function roundTrips(fix: FixInitiator, count: number, prefix: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let sent = 0;
    let done = 0;
    let started = 0;
    const sendOne = (): void => {
      const i = sent++;
      const clOrdId = `${prefix}${i}`;
      const buy = i % 2 === 0;
      sentAt.set(clOrdId, performance.now());
      fix.send('D', [
        [11, clOrdId], [21, '1'], [38, 100], [40, '2'], [44, buy ? '101.00' : '99.00'], [54, buy ? '1' : '2'], [55, 'BENCH'],
        [60, formatUtcTimestamp(Date.now())],
      ]);
    };
    const onMessage = (m: { msgType: string; get(tag: number): string | undefined }): void => {
      if (m.msgType !== '8') return;
      const status = m.get(39);
      if (status === '8') {
        fix.off('message', onMessage);
        reject(new Error(`order rejected: ${m.get(58)}`));
        return;
      }
      if (status !== '2') return;
      const clOrdId = m.get(11)!;
      const t = sentAt.get(clOrdId);
      if (t === undefined) return;
      sentAt.delete(clOrdId);
      latencies.push(performance.now() - t);
      done++;
      if (done === count) {
        fix.off('message', onMessage);
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        resolve({ ordersPerSecond: count / seconds, p50Ms: latencies[Math.floor(count * 0.5)], p99Ms: latencies[Math.floor(count * 0.99)] });
      } else if (sent < count) {
        sendOne();
      }
    };
    fix.on('message', onMessage);
    started = performance.now();
    for (let i = 0; i < Math.min(inFlight, count); i++) sendOne();
  });
}

async function measure(label: string, port: number, targetCompId: string): Promise<Result> {
  const fix = await connectFix({ host: '127.0.0.1', port, senderCompId: 'BENCH', targetCompId, resetOnLogon: true });
  try {
    if (warmup > 0) await roundTrips(fix, warmup, 'W');
    const result = await roundTrips(fix, orders, 'B');
    console.log(`${label}: ${orders} orders, ${inFlight} in flight: ${Math.round(result.ordersPerSecond)} orders/s`
      + ` (round trip p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms)`);
    return result;
  } finally {
    await fix.logout();
    fix.close();
  }
}

async function startOurVenue(): Promise<{ port: number; child: ChildProcess }> {
  const root = repoRoot();
  const args = ['fix-venue', '--port', '0', '--comp-id', 'VENUE', '--counterparties', 'BENCH', '--app', 'venue', '--symbols', 'BENCH=100', '--log-level', 'warn'];
  const built = existsSync(join(root, 'dist', 'cli', 'main.js'));
  const child = built
    ? spawn(process.execPath, [...shippedNodeFlags(), binPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn('npx', ['vite-node', join(root, 'cli', 'main.ts'), '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await listeningPort(child);
  return { port, child };
}

/**
 * The whole desk path: OMS.submit -> pre-trade checks -> EMS routing -> FIX NewOrderSingle -> venue book ->
 * ExecutionReports -> executions events and the OMS order FILLED. An order counts when the OMS says FILLED.
 */
async function measureDesk(port: number): Promise<void> {
  const connection = await FixVenueConnection.connect({ venue: 'BENCHV', host: '127.0.0.1', port, senderCompId: 'BENCH', targetCompId: 'VENUE', instruments: ['BENCH'] });
  let executions = 0;
  const ems = new Ems({ venues: [connection], emit: () => { executions++; }, clearingCounterparty: () => 'CCP' });
  let onFilled: (orderId: string) => void = () => {};
  const oms = new Oms({
    limits: { defaults: {} }, router: ems,
    instrumentLookup: (id) => (id === 'BENCH' ? { currency: 'USD', price: 100, asset_class: 'EQUITY' } : undefined),
    emit: (e) => { if (e.status === 'FILLED') onFilled(e.order_id); },
  });
  ems.attach(oms);
  const run = (count: number): Promise<Result> => new Promise((resolve) => {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let sent = 0;
    let done = 0;
    const started = performance.now();
    const sendOne = (): void => {
      sent++;
      const { order } = oms.submit({ account_id: 'BOOK', book_id: 'BOOK', legal_entity: 'BANK_A', instrument_id: 'BENCH', side: sent % 2 === 0 ? 'BUY' : 'SELL', order_type: 'LIMIT', quantity: 100, limit_price: sent % 2 === 0 ? 101 : 99, currency: 'USD' });
      sentAt.set(order.order_id, performance.now());
    };
    onFilled = (orderId) => {
      const t = sentAt.get(orderId);
      if (t === undefined) return;
      latencies.push(performance.now() - t);
      sentAt.delete(orderId);
      if (++done === count) {
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        resolve({ ordersPerSecond: count / seconds, p50Ms: latencies[Math.floor(count * 0.5)], p99Ms: latencies[Math.floor(count * 0.99)] });
      } else if (sent < count) sendOne();
    };
    for (let i = 0; i < Math.min(inFlight, count); i++) sendOne();
  });
  try {
    if (warmup > 0) await run(warmup);
    const result = await run(orders);
    console.log(`OMS -> EMS -> FIX -> our venue -> executions -> OMS FILLED: ${orders} orders, ${inFlight} in flight: ${Math.round(result.ordersPerSecond)} orders/s`
      + ` (p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms; ${executions} executions events)`);
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const ours = await startOurVenue();
  let oursResult: Result;
  try {
    oursResult = await measure('our initiator -> our venue', ours.port, 'VENUE');
    await measureDesk(ours.port);
  } finally {
    ours.child.kill('SIGTERM');
  }
  let quickfix;
  try {
    quickfix = await startQuickfixVenue({ senderCompId: 'QFVENUE', counterparties: ['BENCH'] });
  } catch (err) {
    console.log(`QuickFIX C++ venue not available, comparison skipped: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  try {
    const qf = await measure('our initiator -> QuickFIX C++ venue', quickfix.port, 'QFVENUE');
    console.log(`ratio ours/QuickFIX: ${(oursResult.ordersPerSecond / qf.ordersPerSecond).toFixed(2)}`);
  } finally {
    await quickfix.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
