import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestLake } from '../test-fixtures/lake.js';
import { counterparty, deal, position, record } from './test-events.js';

let lake: TestLake;
beforeEach(async () => {
  lake = await TestLake.create();
});
afterEach(async () => {
  await lake.close();
});

const rec = (value: Record<string, unknown> | string, at: string) => record('treasury.deals', 'D1', value, at);
const history = 'SELECT version, action, deleted, principal, valid_from, valid_to, recorded_from, recorded_to FROM silver.treasury_deals_history';

describe('silver.treasury_deals', () => {
  it('orders versions by version, not arrival: a late version 2 arriving after version 3 does not replace it', async () => {
    await lake.land([
      rec(deal('2026-03-02T08:00:00Z', { version: 1 }), '2026-03-02T08:00:00Z'),
      rec(deal('2026-03-02T12:00:00Z', { version: 3, action: 'AMEND', principal: 300000 }), '2026-03-02T12:00:00Z'),
      rec(deal('2026-03-02T10:00:00Z', { version: 2, action: 'AMEND', principal: 280000 }), '2026-03-02T13:00:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.counts['treasury.deals']).toEqual({ records: 3, accepted: 3, quarantined: 0, warned: 0 });
    expect(await lake.query('SELECT deal_id, version, principal FROM silver.treasury_deals_current')).toEqual([{ deal_id: 'D1', version: 3, principal: '300000.0000000000' }]);
    // Known now: version 2 took 10:00-12:00 from version 1 once it arrived at 13:00.
    expect(await lake.query(`${history} WHERE recorded_to IS NULL ORDER BY valid_from`)).toEqual([
      { version: 1, action: 'NEW', deleted: false, principal: '250000.0000000000', valid_from: '2026-03-02 08:00:00+00', valid_to: '2026-03-02 10:00:00+00', recorded_from: '2026-03-02 13:00:00+00', recorded_to: null },
      { version: 2, action: 'AMEND', deleted: false, principal: '280000.0000000000', valid_from: '2026-03-02 10:00:00+00', valid_to: '2026-03-02 12:00:00+00', recorded_from: '2026-03-02 13:00:00+00', recorded_to: null },
      { version: 3, action: 'AMEND', deleted: false, principal: '300000.0000000000', valid_from: '2026-03-02 12:00:00+00', valid_to: null, recorded_from: '2026-03-02 12:00:00+00', recorded_to: null },
    ]);
  });

  it('answers as-of questions for a back-dated correction, now and as known before it arrived', async () => {
    await lake.land([rec(deal('2026-03-02T09:00:00Z'), '2026-03-02T09:00:00Z')]);
    await lake.land([rec(deal('2026-03-02T09:00:00Z', { version: 2, action: 'AMEND', principal: 260000 }), '2026-03-05T09:00:00Z')]);
    await lake.build({ businessDate: '2026-03-05' });
    const asOf = (d: string, t: string) => lake.query(`SELECT version, principal FROM silver.treasury_deals_history
      WHERE valid_from <= TIMESTAMPTZ '${d}' AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '${d}')
        AND recorded_from <= TIMESTAMPTZ '${t}' AND (recorded_to IS NULL OR recorded_to > TIMESTAMPTZ '${t}')`);
    expect(await asOf('2026-03-03 00:00:00+00', '2026-03-06 00:00:00+00')).toEqual([{ version: 2, principal: '260000.0000000000' }]);
    expect(await asOf('2026-03-03 00:00:00+00', '2026-03-04 00:00:00+00')).toEqual([{ version: 1, principal: '250000.0000000000' }]);
  });

  it('keeps a CANCEL as a tombstone row in history and leaves the deal out of current from its valid time on', async () => {
    await lake.land([
      rec(deal('2026-03-02T09:00:00Z'), '2026-03-02T09:00:00Z'),
      record('treasury.deals', 'D2', deal('2026-03-02T09:00:00Z', { deal_id: 'D2' }), '2026-03-02T09:00:00Z'),
      rec(deal('2026-03-03T09:00:00Z', { version: 2, action: 'CANCEL' }), '2026-03-03T09:00:00Z'),
    ]);
    await lake.build({ businessDate: '2026-03-03' });
    expect(await lake.query('SELECT deal_id FROM silver.treasury_deals_current')).toEqual([{ deal_id: 'D2' }]);
    expect(await lake.query(`${history} WHERE deal_id = 'D1' AND recorded_to IS NULL ORDER BY valid_from`)).toMatchObject([
      { version: 1, deleted: false, valid_from: '2026-03-02 09:00:00+00', valid_to: '2026-03-03 09:00:00+00' },
      { version: 2, action: 'CANCEL', deleted: true, valid_from: '2026-03-03 09:00:00+00', valid_to: null },
    ]);
  });

  it('quarantines a redelivered event id and schema failures, naming the rule, and reconciles the counts', async () => {
    const first = deal('2026-03-02T09:00:00Z');
    await lake.land([
      rec(first, '2026-03-02T09:00:00Z'),
      rec(first, '2026-03-02T09:01:00Z'),
      rec(deal('2026-03-02T09:00:00Z', { deal_id: 'D3', action: 'CLOSE' }), '2026-03-02T09:02:00Z'),
      rec(deal('2026-03-02T09:00:00Z', { deal_id: 'D4', principal: -1 }), '2026-03-02T09:03:00Z'),
      rec('{"deal_id": "D5",', '2026-03-02T09:04:00Z'),
    ]);
    const build = await lake.build({ businessDate: '2026-03-02' });
    expect(build.counts['treasury.deals']).toEqual({ records: 5, accepted: 1, quarantined: 4, warned: 0 });
    expect(build.checks.find((c) => c.name === 'treasury.deals.records_reconcile')?.ok).toBe(true);
    expect(await lake.query("SELECT rule, rule_version, reason FROM silver.quarantine WHERE topic = 'treasury.deals' ORDER BY recorded_at")).toEqual([
      { rule: 'treasury.deals.duplicate_event', rule_version: 1, reason: expect.stringMatching(new RegExp(`^event ${first.event_id} was already received \\(first at line 1 of file [0-9a-f]{12}\\)$`)) },
      { rule: 'treasury.deals.schema.action.enum', rule_version: 1, reason: 'action must be one of NEW, AMEND, CANCEL, got "CLOSE"' },
      { rule: 'treasury.deals.schema.principal.min', rule_version: 1, reason: 'principal must be >= 0, got -1' },
      { rule: 'treasury.deals.schema.json', rule_version: 1, reason: 'value is not JSON: {"deal_id": "D5",' },
    ]);
  });

  it('shows the counterparty type the directory has now beside the one the deal was booked with', async () => {
    await lake.land([
      record('ref.counterparties', 'CP1', counterparty('2026-03-01T06:00:00Z'), '2026-03-01T06:00:00Z'),
      record('ref.counterparties', 'CP1', counterparty('2026-03-03T06:00:00Z', { counterparty_type: 'SMALL_BUSINESS' }), '2026-03-03T06:00:00Z'),
      rec(deal('2026-03-02T09:00:00Z'), '2026-03-02T09:00:00Z'),
    ]);
    await lake.build({ businessDate: '2026-03-03' });
    expect(await lake.query('SELECT counterparty_type, counterparty_type_now FROM silver.treasury_deals_current')).toEqual([
      { counterparty_type: 'RETAIL', counterparty_type_now: 'SMALL_BUSINESS' },
    ]);
  });

  it('rebuilds the current deals when only the directory changes, and carries over what no new record touched', async () => {
    await lake.land([
      record('ref.counterparties', 'CP1', counterparty('2026-03-01T06:00:00Z'), '2026-03-01T06:00:00Z'),
      rec(deal('2026-03-02T09:00:00Z'), '2026-03-02T09:00:00Z'),
      record('positions', 'BANK_A|B1|I1', position('2026-03-02T09:00:00Z', 10), '2026-03-02T09:00:00Z'),
    ]);
    const first = await lake.build({ businessDate: '2026-03-03' });
    await lake.land([record('ref.counterparties', 'CP1', counterparty('2026-03-03T06:00:00Z', { counterparty_type: 'SMALL_BUSINESS' }), '2026-03-03T06:00:00Z')]);
    const second = await lake.build({ businessDate: '2026-03-03' });
    expect(await lake.query('SELECT deal_id, counterparty_type, counterparty_type_now FROM silver.treasury_deals_current')).toEqual([
      { deal_id: 'D1', counterparty_type: 'RETAIL', counterparty_type_now: 'SMALL_BUSINESS' },
    ]);
    expect(await lake.query('SELECT position_id, quantity FROM silver.positions_current')).toEqual([{ position_id: 'BANK_A|B1|I1', quantity: '10.0000000000' }]);
    // Every check is there, the carried ones as they were; only the directory's records were worked on.
    expect(second.checks.map((c) => c.name).sort()).toEqual(first.checks.map((c) => c.name).sort());
    expect(second.checks.filter((c) => !c.ok)).toEqual([]);
    expect(second.run.counts['ref.counterparties'].records).toBe(1);
    expect(second.run.counts['treasury.deals'].records).toBe(0);
    const { silverLog } = await import('../manifest.js');
    const [v1, v2] = [(await silverLog(lake.store).read(1))!, (await silverLog(lake.store).read(2))!];
    expect(v2.tables.positions_current).toEqual(v1.tables.positions_current);
    expect(v2.tables.treasury_deals_history).toEqual(v1.tables.treasury_deals_history);
    expect(v2.tables.treasury_deals_current).not.toEqual(v1.tables.treasury_deals_current);
  });
});
