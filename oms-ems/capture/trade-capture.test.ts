import { describe, expect, it } from 'vitest';
import { topicValidator } from '../../test/json-schema-validator.js';
import { tradeDeadLetterEventSchema, tradeEventSchema, type TradeDeadLetterEvent, type TradeEvent } from '../schemas/trade-event.js';
import { invalidExecutionDeadLetter } from './dead-letter.js';
import { TradeCapture, tradeIdFor, type CaptureResult } from './trade-capture.js';
import { counterpartyEvent, executionEvent, instrumentEvent } from './test-fixtures/events.js';

function withReferenceData(capture = new TradeCapture()): TradeCapture {
  capture.applyInstrument(instrumentEvent());
  capture.applyInstrument(instrumentEvent({ instrument_id: 'US0378331005', isin: 'US0378331005', name: 'Apple', asset_class: 'EQUITY', issuer_id: 'AAPL', issuer_type: 'NON_FINANCIAL_CORPORATE', maturity_date: null, coupon_rate: null }));
  capture.applyCounterparty(counterpartyEvent());
  capture.applyCounterparty(counterpartyEvent({ counterparty_id: 'CP0002', counterparty_type: 'OTHER_FINANCIAL', name: 'Broker' }));
  return capture;
}

// Each output also passes its exported JSON Schema, checked by ajv (knows nothing of zod).
const validateTrade = topicValidator('trades');
const validateDeadLetter = topicValidator('trades.dead_letter');

function tradeOf(result: CaptureResult): TradeEvent {
  if (result.kind !== 'trade') throw new Error(`expected a trade, got ${JSON.stringify(result)}`);
  expect(tradeEventSchema.safeParse(result.trade).success).toBe(true);
  expect(validateTrade(result.trade), JSON.stringify(validateTrade.errors)).toBe(true);
  return result.trade;
}

function deadLetterOf(result: CaptureResult): TradeDeadLetterEvent {
  if (result.kind !== 'dead_letter') throw new Error(`expected a dead letter, got ${JSON.stringify(result)}`);
  expect(tradeDeadLetterEventSchema.safeParse(result.deadLetter).success).toBe(true);
  expect(validateDeadLetter(result.deadLetter), JSON.stringify(validateDeadLetter.errors)).toBe(true);
  return result.deadLetter;
}

describe('TradeCapture', () => {
  it('turns a fill into a trade enriched from the instrument master and the counterparty directory', () => {
    const trade = tradeOf(withReferenceData().capture(executionEvent()));
    expect(trade).toEqual({
      event_id: 'trade:T:XLON:E1:1', schema_version: 1, event_time: '2026-03-02T09:30:00Z', source: 'trade-capture',
      trade_id: 'T:XLON:E1', version: 1, counterparty_id: 'CP0001', book_id: 'BOOK-1', legal_entity: 'BANK_A',
      instrument_id: 'US912828ZT05', asset_class: 'GOVT_BOND', side: 'BUY', quantity: 1000, price: 99.5, currency: 'USD',
      trade_date: '2026-03-02', settlement_date: '2026-03-04', maturity_date: '2030-05-15', created_date: '2026-03-02',
      exec_id: 'E1', venue: 'XLON', counterparty_type: 'BANK', issuer_id: 'US-TREASURY',
    });
  });

  it('takes quantity and price from the fill itself, not the order averages, and the side and counterparty from the execution', () => {
    const trade = tradeOf(withReferenceData().capture(executionEvent({
      exec_type: 'PARTIAL_FILL', side: 'SELL', last_quantity: 250, last_price: 99.25, cumulative_quantity: 750, average_price: 99.4, counterparty_id: 'CP0002',
    })));
    expect([trade.side, trade.quantity, trade.price, trade.counterparty_id, trade.counterparty_type]).toEqual(['SELL', 250, 99.25, 'CP0002', 'OTHER_FINANCIAL']);
  });

  it('gives an instrument without maturity a null maturity_date, and keeps a null settlement_date', () => {
    const trade = tradeOf(withReferenceData().capture(executionEvent({ instrument_id: 'US0378331005', settlement_date: null })));
    expect([trade.asset_class, trade.maturity_date, trade.settlement_date, trade.issuer_id]).toEqual(['EQUITY', null, null, 'AAPL']);
  });

  it('dates created_date by the UTC date of the execution time, whatever its offset', () => {
    const trade = tradeOf(withReferenceData().capture(executionEvent({ event_time: '2026-03-02T21:30:00-05:00' })));
    expect(trade.created_date).toBe('2026-03-03');
    expect(trade.trade_date).toBe('2026-03-02');
    expect(trade.event_time).toBe('2026-03-02T21:30:00-05:00');
  });

  it('makes one trade per partial fill, with an id derived from venue and exec id', () => {
    const capture = withReferenceData();
    const a = tradeOf(capture.capture(executionEvent({ exec_id: 'E1', exec_type: 'PARTIAL_FILL', last_quantity: 400 })));
    const b = tradeOf(capture.capture(executionEvent({ exec_id: 'E2', exec_type: 'FILL', last_quantity: 600 })));
    const c = tradeOf(capture.capture(executionEvent({ exec_id: 'E1', venue: 'XPAR' })));
    expect([a.trade_id, b.trade_id, c.trade_id]).toEqual([tradeIdFor('XLON', 'E1'), tradeIdFor('XLON', 'E2'), tradeIdFor('XPAR', 'E1')]);
    expect(new Set([a.trade_id, b.trade_id, c.trade_id]).size).toBe(3);
  });

  it('produces nothing for executions that are not fills, or fills of nothing', () => {
    const capture = withReferenceData();
    for (const exec_type of ['NEW', 'CANCELLED', 'REJECTED'] as const) {
      expect(capture.capture(executionEvent({ exec_type, last_quantity: 0, last_price: 0 }))).toEqual({ kind: 'ignored', reason: 'not_a_fill' });
    }
    expect(capture.capture(executionEvent({ exec_type: 'PARTIAL_FILL', last_quantity: 0 }))).toEqual({ kind: 'ignored', reason: 'no_quantity' });
    expect(capture.stats.ignored).toEqual({ not_a_fill: 3, no_quantity: 1, duplicate: 0 });
    expect(capture.stats.trades).toBe(0);
  });

  it('produces nothing for the same execution delivered twice', () => {
    const capture = withReferenceData();
    tradeOf(capture.capture(executionEvent()));
    expect(capture.capture(executionEvent())).toEqual({ kind: 'ignored', reason: 'duplicate' });
    expect(capture.stats).toMatchObject({ trades: 1, ignored: { duplicate: 1 } });
  });

  it('forgets the oldest trades beyond its memory bound, and captures such an execution again identically', () => {
    const capture = withReferenceData(new TradeCapture({ maxRememberedTrades: 2 }));
    const first = tradeOf(capture.capture(executionEvent({ exec_id: 'E1' })));
    tradeOf(capture.capture(executionEvent({ exec_id: 'E2' })));
    expect(capture.capture(executionEvent({ exec_id: 'E2' })).kind).toBe('ignored');
    tradeOf(capture.capture(executionEvent({ exec_id: 'E3' })));
    expect(capture.trade(first.trade_id)).toBeUndefined();
    expect(tradeOf(capture.capture(executionEvent({ exec_id: 'E1' })))).toEqual(first);
  });

  it('dead-letters a fill whose instrument is not in the master, naming it', () => {
    const capture = withReferenceData();
    const dl = deadLetterOf(capture.capture(executionEvent({ instrument_id: 'XS0000000000' })));
    expect(dl).toMatchObject({
      missing: ['instrument'], exec_id: 'E1', event_time: '2026-03-02T09:30:00Z', source: 'trade-capture',
      reason: 'instrument XS0000000000 is not in the instrument master',
    });
    expect(dl.execution).toEqual(executionEvent({ instrument_id: 'XS0000000000' }));
    expect(capture.stats.deadLettered).toBe(1);
  });

  it('dead-letters a fill whose instrument was withdrawn, saying since when', () => {
    const capture = withReferenceData();
    capture.applyInstrument(instrumentEvent({ event_time: '2026-03-02T08:00:00Z', active: false }));
    const dl = deadLetterOf(capture.capture(executionEvent()));
    expect(dl.missing).toEqual(['instrument']);
    expect(dl.reason).toBe('instrument US912828ZT05 was withdrawn from the instrument master (2026-03-02T08:00:00Z)');
  });

  it('dead-letters a fill whose counterparty is unknown or withdrawn', () => {
    const capture = withReferenceData();
    expect(deadLetterOf(capture.capture(executionEvent({ counterparty_id: 'CP9999' })))).toMatchObject({
      missing: ['counterparty'], reason: 'counterparty CP9999 is not in the counterparty directory',
    });
    capture.applyCounterparty(counterpartyEvent({ event_time: '2026-03-02T00:00:00Z', active: false }));
    expect(deadLetterOf(capture.capture(executionEvent({ exec_id: 'E2' })))).toMatchObject({
      missing: ['counterparty'], exec_id: 'E2', reason: 'counterparty CP0001 was withdrawn from the counterparty directory (2026-03-02T00:00:00Z)',
    });
  });

  it('names both when instrument and counterparty are missing', () => {
    const dl = deadLetterOf(new TradeCapture().capture(executionEvent()));
    expect(dl.missing).toEqual(['instrument', 'counterparty']);
    expect(dl.reason).toBe('instrument US912828ZT05 is not in the instrument master; counterparty CP0001 is not in the counterparty directory');
  });

  it('captures a dead-lettered execution delivered again once its reference data has arrived', () => {
    const capture = new TradeCapture();
    deadLetterOf(capture.capture(executionEvent()));
    withReferenceData(capture);
    expect(tradeOf(capture.capture(executionEvent())).trade_id).toBe('T:XLON:E1');
  });

  it('enriches from the latest version of the reference data, whatever order the versions came in', () => {
    const capture = withReferenceData();
    capture.applyInstrument(instrumentEvent({ event_time: '2026-03-02T00:00:00Z', maturity_date: '2031-01-15', issuer_id: 'UST' }));
    capture.applyInstrument(instrumentEvent({ event_time: '2026-03-01T12:00:00Z', maturity_date: '2029-01-15' }));
    capture.applyCounterparty(counterpartyEvent({ event_time: '2026-03-02T00:00:00Z', counterparty_type: 'OTHER_FINANCIAL' }));
    const trade = tradeOf(capture.capture(executionEvent()));
    expect([trade.maturity_date, trade.issuer_id, trade.counterparty_type]).toEqual(['2031-01-15', 'UST', 'OTHER_FINANCIAL']);
  });

  it('captures again once a withdrawn instrument is reinstated by a later version', () => {
    const capture = withReferenceData();
    capture.applyInstrument(instrumentEvent({ event_time: '2026-03-02T00:00:00Z', active: false }));
    deadLetterOf(capture.capture(executionEvent()));
    capture.applyInstrument(instrumentEvent({ event_time: '2026-03-02T09:00:00Z' }));
    tradeOf(capture.capture(executionEvent()));
  });

  it('corrects a trade as version n+1 with a deterministic event id and the correction time', () => {
    const capture = withReferenceData();
    const v1 = tradeOf(capture.capture(executionEvent()));
    const v2 = capture.correct(v1.trade_id, { price: 99.55 }, '2026-03-02T15:00:00Z');
    const v3 = capture.correct(v1.trade_id, { quantity: 900, book_id: 'BOOK-2' }, '2026-03-03T08:00:00Z');
    expect(tradeEventSchema.safeParse(v3).success).toBe(true);
    expect(v2).toEqual({ ...v1, version: 2, price: 99.55, event_id: 'trade:T:XLON:E1:2', event_time: '2026-03-02T15:00:00Z' });
    expect(v3).toMatchObject({ version: 3, price: 99.55, quantity: 900, book_id: 'BOOK-2', created_date: '2026-03-02', event_id: 'trade:T:XLON:E1:3' });
    expect(capture.trade(v1.trade_id)).toEqual(v3);
    expect(capture.stats.corrections).toBe(2);
  });

  it('refuses to correct an unknown trade, or into an invalid one', () => {
    const capture = withReferenceData();
    const v1 = tradeOf(capture.capture(executionEvent()));
    expect(() => capture.correct('T:XLON:NOPE', { price: 1 }, '2026-03-02T15:00:00Z')).toThrow(/cannot correct trade T:XLON:NOPE/);
    expect(() => capture.correct(v1.trade_id, { quantity: -5 }, '2026-03-02T15:00:00Z')).toThrow(/quantity/);
    expect(capture.trade(v1.trade_id)?.version).toBe(1);
  });
});

describe('invalidExecutionDeadLetter', () => {
  const at = { topic: 'executions', partition: 2, offset: '17', timestamp: String(Date.parse('2026-03-02T10:00:00Z')) };

  it('keeps what could be read of a record that fails the schema, and its exec id', () => {
    const dl = invalidExecutionDeadLetter({ exec_id: 'E9', venue: 'XLON' }, '{"exec_id":"E9","venue":"XLON"}', 'side: required', at);
    expect(tradeDeadLetterEventSchema.safeParse(dl).success).toBe(true);
    expect(dl).toMatchObject({ exec_id: 'E9', missing: [], event_time: '2026-03-02T10:00:00.000Z', reason: 'invalid execution at executions/2/17: side: required' });
    expect(dl.execution).toEqual({ exec_id: 'E9', venue: 'XLON' });
  });

  it('names a record that is not JSON by its position in the topic, keeping the raw text', () => {
    const dl = invalidExecutionDeadLetter(undefined, 'not json', 'value is not JSON', at);
    expect(tradeDeadLetterEventSchema.safeParse(dl).success).toBe(true);
    expect(dl).toMatchObject({ exec_id: 'executions/2/17', execution: { raw: 'not json' }, event_id: 'DL:executions:2:17' });
  });
});
