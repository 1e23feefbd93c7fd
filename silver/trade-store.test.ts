import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SilverCheckFailedError } from './build-silver.js';
import { baseTrade, TestLake } from './test-fixtures/lake.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

const trade = (over: Record<string, unknown>) => ({ ...baseTrade, ...over });

describe('the trade store (CONTRACT.md section 3)', () => {
  it('keeps version 3 current when versions arrive 1, 3, 2, and quarantines 2 with the rule id and reason', async () => {
    await lake.land([
      { value: trade({ version: 1 }), at: '2026-03-02T09:00:00Z' },
      { value: trade({ version: 3, price: 99.7 }), at: '2026-03-02T10:00:00Z' },
      { value: trade({ version: 2, price: 99.6 }), at: '2026-03-02T11:00:00Z' },
    ]);
    const result = await lake.build({ businessDate: '2026-03-02' });
    expect(result.counts.trades).toEqual({ records: 3, accepted: 2, quarantined: 1, warned: 0 });
    expect(await lake.query('SELECT trade_id, version, price FROM silver.trades_current')).toEqual([{ trade_id: 'T1', version: 3, price: '99.7000000000' }]);
    expect(await lake.query('SELECT "key", rule, rule_version, reason FROM silver.quarantine')).toEqual([
      { key: 'T1', rule: 'trades.version_lower_than_stored', rule_version: 1, reason: 'version 2 of trade T1 is lower than version 3, already stored' },
    ]);
  });

  it('makes the later of two records with the same version current and keeps the earlier in history', async () => {
    await lake.land([
      { value: trade({ price: 99.5 }), at: '2026-03-02T09:00:00Z' },
      { value: trade({ price: 99.55 }), at: '2026-03-02T09:30:00Z' },
    ]);
    await lake.build({ businessDate: '2026-03-02' });
    expect(await lake.query('SELECT version, price FROM silver.trades_current')).toEqual([{ version: 1, price: '99.5500000000' }]);
    expect(await lake.query('SELECT version, price, recorded_from, recorded_to FROM silver.trades_history ORDER BY recorded_from')).toEqual([
      { version: 1, price: '99.5000000000', recorded_from: '2026-03-02 09:00:00+00', recorded_to: '2026-03-02 09:30:00+00' },
      { version: 1, price: '99.5500000000', recorded_from: '2026-03-02 09:30:00+00', recorded_to: null },
    ]);
  });

  it('quarantines a trade whose maturity is before the day its record was received', async () => {
    await lake.land([
      { value: trade({ trade_id: 'T2', maturity_date: '2026-03-01' }), at: '2026-03-02T09:00:00Z' },
      { value: trade({ trade_id: 'T3', maturity_date: '2026-03-02' }), at: '2026-03-02T09:00:00Z' },
      // The UTC day's edges: received on the last microsecond of the maturity day, and on the first of the next one.
      { value: trade({ trade_id: 'T4', maturity_date: '2026-03-01' }), at: '2026-03-01T23:59:59.999Z' },
      { value: trade({ trade_id: 'T5', maturity_date: '2026-03-01' }), at: '2026-03-02T00:00:00Z' },
    ]);
    await lake.build({ businessDate: '2026-03-02' });
    expect(await lake.query('SELECT "key", rule, reason FROM silver.quarantine ORDER BY "key"')).toEqual([
      { key: 'T2', rule: 'trades.maturity_before_received', reason: 'maturity_date 2026-03-01 is before 2026-03-02, the day the record was received' },
      { key: 'T5', rule: 'trades.maturity_before_received', reason: 'maturity_date 2026-03-01 is before 2026-03-02, the day the record was received' },
    ]);
    expect(await lake.query('SELECT trade_id, expired, valid_from FROM silver.trades_current ORDER BY trade_id')).toEqual([
      { trade_id: 'T3', expired: false, valid_from: '2026-03-02 00:00:00+00' },
      { trade_id: 'T4', expired: true, valid_from: '2026-03-02 00:00:00+00' },
    ]);
  });

  it('marks a stored trade expired on the next build with a business date past its maturity', async () => {
    await lake.land([{ value: trade({ maturity_date: '2026-03-03' }), at: '2026-03-02T09:00:00Z' }]);
    await lake.build({ businessDate: '2026-03-03' });
    expect(await lake.query('SELECT expired FROM silver.trades_current')).toEqual([{ expired: false }]);
    const next = await lake.build({ businessDate: '2026-03-04' });
    expect(next.published).toBe(true);
    expect(await lake.query('SELECT expired FROM silver.trades_current')).toEqual([{ expired: true }]);
  });

  it('answers "as of valid date D" with the correction from its recorded time on, and "as known at T" as before', async () => {
    await lake.land([{ value: trade({ trade_date: '2026-02-23', price: 99.5 }), at: '2026-02-23T10:00:00Z' }]);
    await lake.land([{ value: trade({ trade_date: '2026-02-23', version: 2, price: 98.25 }), at: '2026-03-02T10:00:00Z' }]);
    await lake.build({ businessDate: '2026-03-02' });
    const asOf = await lake.query("SELECT version, price FROM silver.trades_as_of(DATE '2026-02-25')");
    expect(asOf).toEqual([{ version: 2, price: '98.2500000000' }]);
    const knownBefore = await lake.query("SELECT version, price FROM silver.trades_as_known(DATE '2026-02-25', TIMESTAMPTZ '2026-02-27 00:00:00+00')");
    expect(knownBefore).toEqual([{ version: 1, price: '99.5000000000' }]);
    const knownAfter = await lake.query("SELECT version FROM silver.trades_as_known(DATE '2026-02-25', TIMESTAMPTZ '2026-03-02 10:00:00+00')");
    expect(knownAfter).toEqual([{ version: 2 }]);
  });

  it('quarantines records that break the schema, naming the rule, and reconciles records = accepted + quarantined', async () => {
    await lake.land([
      { value: trade({ trade_id: 'OK' }), at: '2026-03-02T09:00:00Z' },
      { value: trade({ trade_id: 'Q1', quantity: -5 }), at: '2026-03-02T09:00:01Z' },
      { value: trade({ trade_id: 'Q2', currency: 'usd' }), at: '2026-03-02T09:00:02Z' },
      { value: '{"trade_id": "Q3", "version": ', at: '2026-03-02T09:00:03Z', key: 'Q3' },
    ]);
    const result = await lake.build({ businessDate: '2026-03-02' });
    expect(result.counts.trades).toMatchObject({ records: 4, accepted: 1, quarantined: 3 });
    const q = await lake.query('SELECT "key", rule FROM silver.quarantine ORDER BY "key"');
    expect(q.map((r) => r.key)).toEqual(['Q1', 'Q2', 'Q3']);
    expect(q[0].rule).toMatch(/^trades\.schema\.quantity\./);
    expect(q[1].rule).toMatch(/^trades\.schema\.currency\./);
    expect(q[2].rule).toBe('trades.schema.json');
  });

  it('publishes nothing new when nothing is new, and the same tables on --full-refresh', async () => {
    await lake.land([{ value: trade({}), at: '2026-03-02T09:00:00Z' }, { value: trade({ version: 2 }), at: '2026-03-02T10:00:00Z' }]);
    const first = await lake.build({ businessDate: '2026-03-02' });
    const history = await lake.query('SELECT * EXCLUDE (source) FROM silver.trades_history ORDER BY ALL');
    const again = await lake.build({ businessDate: '2026-03-02' });
    expect(again).toMatchObject({ published: false, version: first.version, reason: 'nothing new' });
    const refresh = await lake.build({ businessDate: '2026-03-02', fullRefresh: true });
    expect(refresh.version).toBe(first.version! + 1);
    expect(await lake.query('SELECT * EXCLUDE (source) FROM silver.trades_history ORDER BY ALL')).toEqual(history);
  });

  it('gives the same history whatever order the records are landed in, in whatever files, with duplicates', async () => {
    const records = [
      { value: trade({ trade_id: 'A', event_id: 'e1' }), at: '2026-03-02T09:00:00Z' },
      { value: trade({ trade_id: 'A', version: 2, price: 100, event_id: 'e2' }), at: '2026-03-02T09:05:00Z' },
      { value: trade({ trade_id: 'A', version: 3, price: 101, trade_date: '2026-03-03', event_id: 'e3' }), at: '2026-03-02T09:10:00Z' },
      { value: trade({ trade_id: 'B', event_id: 'e4' }), at: '2026-03-02T09:02:00Z' },
      { value: trade({ trade_id: 'B', version: 1, price: 98, event_id: 'e5' }), at: '2026-03-02T09:07:00Z' },
      { value: trade({ trade_id: 'C', version: 2, event_id: 'e6' }), at: '2026-03-02T09:03:00Z' },
      { value: trade({ trade_id: 'C', version: 1, event_id: 'e7' }), at: '2026-03-02T09:04:00Z' },
    ];
    let expected: unknown;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let run = 0; run < 6; run++) {
      const l = await TestLake.create();
      try {
        const shuffled = [...records, ...records.filter(() => rand() < 0.3)].sort(() => rand() - 0.5);
        const cut = Math.floor(rand() * shuffled.length);
        await l.land(shuffled.slice(0, cut));
        if (cut < shuffled.length) await l.land(shuffled.slice(cut));
        await l.build({ businessDate: '2026-03-02' });
        const history = await l.query('SELECT trade_id, version, price, trade_date, valid_from, valid_to, recorded_from, recorded_to FROM silver.trades_history ORDER BY ALL');
        if (run === 0) expected = history;
        else expect(history).toEqual(expected);
      } finally {
        await l.close();
      }
    }
    expect((expected as unknown[]).length).toBeGreaterThan(4);
  });

  it('stops before publishing when a rule with action fail is broken, leaving the previous version visible', async () => {
    await lake.land([{ value: trade({}), at: '2026-03-02T09:00:00Z' }]);
    const first = await lake.build({ businessDate: '2026-03-02' });
    await lake.land([{ value: trade({ trade_id: 'X', side: 'HOLD' }), at: '2026-03-02T10:00:00Z' }]);
    const failing = lake.build({ businessDate: '2026-03-02', actions: { 'trades.schema.side.enum': 'fail' } });
    await expect(failing).rejects.toThrow(SilverCheckFailedError);
    await expect(failing).rejects.toThrow(/rule trades\.schema\.side\.enum \(action fail\) broken by 1 record/);
    expect(await lake.query('SELECT trade_id FROM silver.trades_current')).toEqual([{ trade_id: 'T1' }]);
    expect(first.version).toBe(1);
  });
});
