import { afterEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from '../../bus/test-fixtures/bus-helpers.js';
import { TradeCapture } from '../capture/trade-capture.js';
import { PositionKeeper } from '../positions/position-keeper.js';
import { positionEventSchema, type PositionEvent } from '../schemas/position-event.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import { runPositionService } from './position-service.js';
import { referenceRecords, simulatedDay } from './test-fixtures/simulated-day.js';
import { readTopic } from './test-fixtures/read-topic.js';
import { tempEventLogs } from './test-fixtures/temp-event-log.js';
import { runTradeCaptureService, tradeRecord } from './trade-capture-service.js';

const logs = tempEventLogs('position-service-');
const openLog = () => logs.open();

afterEach(() => logs.cleanup());

/** The last `after` of each position on the topic, in topic order (one position is always on one partition). */
function latestStates(events: { json: PositionEvent }[]): Map<string, PositionEvent['after']> {
  return new Map(events.map((e) => [e.json.position_id, e.json.after]));
}

describe('runPositionService on the embedded event log', () => {
  it('after a simulated day with late corrections, journal and positions reconcile exactly, and a replay is a no-op', async () => {
    const log = await openLog();
    const producer = await log.producer();
    const day = simulatedDay(300, 23);
    await producer.send([...referenceRecords(), ...day.records]);
    const capture = new TradeCapture();
    await runTradeCaptureService({ bus: log, capture, stopWhenCaughtUp: true });
    // Late corrections of some trades, as the simulator sends them, and a stale version 1 arriving after its correction.
    const captured = (await readTopic<TradeEvent>(log, 'trades')).map((t) => t.json);
    const corrections = captured.filter((_, i) => i % 10 === 0).map((t, i) => capture.correct(t.trade_id, i % 2 === 0 ? { price: t.price + 0.125 } : { quantity: t.quantity + 500, book_id: 'BOOK-3' }, '2026-03-02T18:00:00Z'));
    await producer.send([...corrections.map(tradeRecord), tradeRecord(captured[0])]);

    const keeper = new PositionKeeper();
    const summary = await runPositionService({ bus: log, keeper, stopWhenCaughtUp: true });
    expect(summary.reconcile).toMatchObject({ ok: true, unbalanced: [], mismatches: [] });
    expect(summary.trades).toBe(captured.length + corrections.length + 1);
    expect(summary.outcomes).toMatchObject({ booked: captured.length, amended: corrections.length, ignored_lower_version: 1, rejected: 0 });
    expect(summary.events_produced).toBe(summary.reconcile.entries);
    expect(summary.events_produced).toBe(captured.length + 2 * corrections.length);

    const events = await readTopic<PositionEvent>(log, 'positions');
    expect(events).toHaveLength(summary.events_produced);
    for (const e of events) {
      expect(positionEventSchema.safeParse(e.json).success, text(e.value)!).toBe(true);
      expect(text(e.key)).toBe(e.json.position_id);
    }
    expect(new Set(events.map((e) => e.json.event_id)).size).toBe(events.length);
    // What the topic says last about each position is what the keeper holds.
    const snapshot = keeper.snapshot();
    for (const [id, after] of latestStates(events)) {
      const held = snapshot.positions[id];
      expect([after.quantity, after.cost, after.currency, after.trade_count], id).toEqual([Number(held.quantity), Number(held.cost), held.currency, held.trade_count]);
    }

    // A second run replays every trade into a new keeper: the same state, and nothing written again.
    const keeper2 = new PositionKeeper();
    const again = await runPositionService({ bus: log, keeper: keeper2, stopWhenCaughtUp: true });
    expect(again).toMatchObject({ events_produced: 0, events_already_emitted: summary.events_produced, reconcile: { ok: true } });
    expect(keeper2.snapshot()).toEqual(snapshot);
    expect(await readTopic(log, 'positions')).toHaveLength(events.length);
    expect(await readdir(join(log.dir, 'groups'))).toEqual(['trade-capture.json']); // its replay groups leave nothing
    await producer.close();
  });

  it('on a later run emits only the changes of trades written since', async () => {
    const log = await openLog();
    const producer = await log.producer();
    await producer.send([...referenceRecords(), ...simulatedDay(40, 3).records]);
    const capture = new TradeCapture();
    await runTradeCaptureService({ bus: log, capture, stopWhenCaughtUp: true });
    const first = await runPositionService({ bus: log, stopWhenCaughtUp: true });
    const trade = (await readTopic<TradeEvent>(log, 'trades'))[0].json;
    await producer.send([tradeRecord(capture.correct(trade.trade_id, { quantity: trade.quantity * 2 }, '2026-03-02T19:00:00Z'))]);

    const second = await runPositionService({ bus: log, stopWhenCaughtUp: true });
    expect(second).toMatchObject({ events_produced: 2, events_already_emitted: first.events_produced, reconcile: { ok: true } });
    const events = await readTopic<PositionEvent>(log, 'positions');
    expect(events.slice(-2).map((e) => [e.json.trade_id, e.json.trade_version, e.json.journal_entry_id])).toEqual([
      [trade.trade_id, 2, `je:${trade.trade_id}:2`],
      [trade.trade_id, 2, `je:${trade.trade_id}:3`],
    ]);
    await producer.close();
  });

  it('skips records that are not trades, and stops at once on an empty topic', async () => {
    const log = await openLog();
    expect(await runPositionService({ bus: log, stopWhenCaughtUp: true })).toMatchObject({ trades: 0, events_produced: 0, reconcile: { ok: true, entries: 0 } });
    const producer = await log.producer();
    await producer.send([{ topic: 'trades', key: 'X', value: { trade_id: 'X' } }, { topic: 'trades', key: 'Y', value: 'not json' }]);
    expect(await runPositionService({ bus: log, stopWhenCaughtUp: true })).toMatchObject({ trades: 2, invalid_trades: 2, events_produced: 0 });
    await producer.close();
  });

  it('keeps running until aborted, then reports the reconciliation', async () => {
    const log = await openLog();
    const producer = await log.producer();
    const abort = new AbortController();
    const running = runPositionService({ bus: log, signal: abort.signal });
    const capture = new TradeCapture();
    await producer.send([...referenceRecords(), ...simulatedDay(10, 8).records]);
    await runTradeCaptureService({ bus: log, capture, stopWhenCaughtUp: true });
    const trades = (await readTopic(log, 'trades')).length;
    const deadline = Date.now() + 20_000;
    while ((await readTopic(log, 'positions')).length < trades && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    const summary = await running;
    expect(summary).toMatchObject({ trades, events_produced: trades, reconcile: { ok: true } });
    await producer.close();
  });
});
