import { afterEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { headerText, text, waitFor } from '../../bus/test-fixtures/bus-helpers.js';
import { counterpartyEvent, executionEvent, instrumentEvent } from '../capture/test-fixtures/events.js';
import { tradeDeadLetterEventSchema, tradeEventSchema, type TradeDeadLetterEvent, type TradeEvent } from '../schemas/trade-event.js';
import { executionRecord, referenceRecords, simulatedDay } from './test-fixtures/simulated-day.js';
import { readTopic } from './test-fixtures/read-topic.js';
import { tempEventLogs } from './test-fixtures/temp-event-log.js';
import { runTradeCaptureService } from './trade-capture-service.js';

const logs = tempEventLogs('trade-capture-');
const openLog = () => logs.open();

afterEach(() => logs.cleanup());

describe('runTradeCaptureService on the embedded event log', () => {
  it('turns the fills of a day into trades, dead-letters what it cannot enrich, and commits what it has sent', async () => {
    const log = await openLog();
    const producer = await log.producer();
    const day = simulatedDay(150);
    await producer.send([...referenceRecords(), ...day.records]);
    // Not an execution at all, and one that fails the schema: dead-lettered too, nothing dropped.
    await producer.send([
      { topic: 'executions', key: 'O-bad', value: 'not json', timestamp: Date.parse('2026-03-02T12:00:00Z') },
      { topic: 'executions', key: 'O-bad', value: { ...executionEvent({ exec_id: 'E-bad' }), side: 'HOLD' }, timestamp: Date.parse('2026-03-02T12:00:01Z') },
    ]);

    const summary = await runTradeCaptureService({ bus: log, stopWhenCaughtUp: true });
    const trades = await readTopic<TradeEvent>(log, 'trades');
    const deadLetters = await readTopic<TradeDeadLetterEvent>(log, 'trades.dead_letter');

    expect(trades).toHaveLength(day.fills);
    expect(deadLetters).toHaveLength(day.unenrichable + 2);
    expect(summary).toMatchObject({ executions: day.records.length + 2, trades: day.fills, dead_lettered: day.unenrichable + 2, invalid_executions: 2 });
    expect(summary.ignored.duplicate).toBeGreaterThan(0);
    expect(summary.reference).toEqual({ instruments: 4, counterparties: 3, invalid: 0, stale: 0 });
    expect(new Set(trades.map((t) => t.json.trade_id)).size).toBe(trades.length);
    for (const t of trades) {
      expect(tradeEventSchema.safeParse(t.json).success, text(t.value)!).toBe(true);
      expect(text(t.key)).toBe(t.json.trade_id);
      expect(Number(t.timestamp)).toBe(Date.parse(t.json.event_time));
      expect(headerText(t.headers?.source)).toBe('trade-capture');
    }
    for (const d of deadLetters) {
      expect(tradeDeadLetterEventSchema.safeParse(d.json).success, text(d.value)!).toBe(true);
      expect(text(d.key)).toBe(d.json.exec_id);
    }
    const reasons = deadLetters.map((d) => d.json.reason);
    expect(reasons.some((r) => /instrument XS9999999999 is not in the instrument master/.test(r))).toBe(true);
    expect(reasons.some((r) => /counterparty CP9999 is not in the counterparty directory/.test(r))).toBe(true);
    expect(deadLetters.find((d) => d.json.exec_id === 'E-bad')?.json.reason).toMatch(/invalid execution at executions\/\d+\/\d+: side/);
    expect(deadLetters.find((d) => /not JSON/.test(d.json.reason))?.json.execution).toEqual({ raw: 'not json' });

    expect(await log.committedOffsets('trade-capture', ['executions'])).toEqual(await log.endOffsets(['executions']));
    expect(await readdir(join(log.dir, 'groups'))).toEqual(['trade-capture.json']); // the reference groups leave nothing

    const again = await runTradeCaptureService({ bus: log, stopWhenCaughtUp: true });
    expect(again).toMatchObject({ executions: 0, trades: 0, batches: 0 });
    expect(await readTopic(log, 'trades')).toHaveLength(day.fills);
    await producer.close();
  });

  it('writes the same trades, ids and all, when the executions are read again by another group', async () => {
    const log = await openLog();
    const producer = await log.producer();
    await producer.send([...referenceRecords(), ...simulatedDay(40, 5).records]);
    await runTradeCaptureService({ bus: log, stopWhenCaughtUp: true });
    const first = (await readTopic<TradeEvent>(log, 'trades')).map((t) => t.json);
    await runTradeCaptureService({ bus: log, groupId: 'trade-capture-rerun', stopWhenCaughtUp: true });
    const both = (await readTopic<TradeEvent>(log, 'trades')).map((t) => t.json);
    expect(both).toHaveLength(first.length * 2);
    const byId = (ts: TradeEvent[]) => new Map(ts.map((t) => [t.event_id, t]));
    expect(byId(both)).toEqual(byId(first));
    await producer.close();
  });

  it('applies the latest reference data and honours tombstones, whatever order the versions were written in', async () => {
    const log = await openLog();
    const producer = await log.producer();
    await producer.send([
      { topic: 'ref.instruments', key: 'US912828ZT05', value: instrumentEvent({ event_time: '2026-03-02T06:00:00Z', maturity_date: '2031-01-01' }) },
      { topic: 'ref.instruments', key: 'US912828ZT05', value: instrumentEvent({ event_time: '2026-03-01T06:00:00Z', maturity_date: '2029-01-01' }) },
      { topic: 'ref.counterparties', key: 'CP0001', value: counterpartyEvent() },
      { topic: 'ref.counterparties', key: 'CP0002', value: counterpartyEvent({ counterparty_id: 'CP0002' }) },
      { topic: 'ref.counterparties', key: 'CP0002', value: counterpartyEvent({ counterparty_id: 'CP0002', event_time: '2026-03-02T07:00:00Z', active: false }) },
      { topic: 'ref.counterparties', key: 'CP0003', value: { counterparty_id: 'CP0003' } },
      executionRecord(executionEvent({ exec_id: 'E1' })),
      executionRecord(executionEvent({ exec_id: 'E2', counterparty_id: 'CP0002' })),
    ]);
    const summary = await runTradeCaptureService({ bus: log, stopWhenCaughtUp: true });
    expect(summary.reference).toEqual({ instruments: 1, counterparties: 1, invalid: 1, stale: 1 });
    const [trade] = await readTopic<TradeEvent>(log, 'trades');
    expect(trade.json.maturity_date).toBe('2031-01-01');
    const [dead] = await readTopic<TradeDeadLetterEvent>(log, 'trades.dead_letter');
    expect(dead.json).toMatchObject({ exec_id: 'E2', missing: ['counterparty'], reason: expect.stringMatching(/CP0002 was withdrawn/) });
    await producer.close();
  });

  it('while running, applies reference data written before an execution that needs it', async () => {
    const log = await openLog();
    const producer = await log.producer();
    await producer.send([{ topic: 'ref.counterparties', key: 'CP0001', value: counterpartyEvent() }]);
    const abort = new AbortController();
    const running = runTradeCaptureService({ bus: log, signal: abort.signal });
    await waitFor(async () => (await log.listTopics()).includes('trades'), 'the service to start');
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) {
      const id = `XS00000000${String(i).padStart(2, '0')}`;
      await producer.send([{ topic: 'ref.instruments', key: id, value: instrumentEvent({ instrument_id: id, isin: id }) }]);
      await producer.send([executionRecord(executionEvent({ exec_id: `E${i}`, instrument_id: id }))]);
    }
    const captured = async (): Promise<number> => (await readTopic(log, 'trades')).length + (await readTopic(log, 'trades.dead_letter')).length;
    await waitFor(async () => (await captured()) >= 5, 'five fills captured', 20_000);
    abort.abort();
    const summary = await running;
    expect(summary).toMatchObject({ trades: 5, dead_lettered: 0 });
    expect(await readTopic(log, 'trades.dead_letter')).toEqual([]);
    await producer.close();
  });
});
