import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegime, RegimeError } from './regime.js';
import basel from './basel.json' with { type: 'json' };

const dirs: string[] = [];
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

function regimeDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'regime-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('loadRegime', () => {
  it('loads the Basel regime by default, frozen, with rates as exact decimal strings', () => {
    const regime = loadRegime();
    expect(regime).toMatchObject({ id: 'basel', version: '1', effective_from: '2015-01-01', extends: null, horizon_days: 30 });
    expect(regime.caps).toMatchObject({ method: 'adjusted', level2_over_level1: '2/3', level2b_over_level1_and_level2a: '15/85', level2b_over_level1: '15/60' });
    expect(regime.inflow_cap.share_of_outflows).toBe('0.75');
    expect(Object.fromEntries(Object.entries(regime.hqla_levels).map(([k, v]) => [k, v?.weight]))).toEqual({ L1: '1.00', L2A: '0.85', L2B_RMBS: '0.75', L2B: '0.50' });
    expect(regime.outflows.every((r) => typeof r.rate === 'string' && r.confirmed)).toBe(true);
    expect(Object.isFrozen(regime)).toBe(true);
    expect(Object.isFrozen(regime.outflows[0].when)).toBe(true);
    expect(loadRegime('basel')).toBe(regime);
  });

  it('loads the US regime: its confirmed figures, Basel figures marked unconfirmed elsewhere, no RMBS class, no coin', () => {
    const us = loadRegime('us');
    expect(us.extends).toBe('basel');
    const rates = Object.fromEntries(us.outflows.map((r) => [r.id, [r.rate, r.confirmed]]));
    expect(rates['retail_deposit.stable']).toEqual(['0.03', true]);
    expect(rates['uwf.corporate_sovereign.uninsured']).toEqual(['0.40', true]);
    expect(rates['secured_funding.level2a']).toEqual(['0.15', false]);
    expect(rates['credit_facility.bank']).toEqual(['0.40', false]);
    expect(rates['secured_funding.level2b_rmbs']).toBeUndefined();
    expect(us.inflows.find((r) => r.id === 'secured_lending.level2b_rmbs')).toBeUndefined();
    expect(us.inflows.filter((r) => r.confirmed).map((r) => r.id)).toEqual(['unsecured_lending.operational']);
    expect(Object.keys(us.hqla_levels)).toEqual(['L1', 'L2A', 'L2B']);
    expect(us.asset_products.CASH.class).toBe('NON_HQLA');
    expect(us.caps).toMatchObject({ method: 'us_max_excess', level2_over_level1: '0.6667', level2b_over_level1_and_level2a: '0.1765' });
    // Rule order (first match wins) is the parent's.
    expect(us.outflows.map((r) => r.id)).toEqual(loadRegime('basel').outflows.map((r) => r.id).filter((id) => id !== 'secured_funding.level2b_rmbs'));
  });

  it('names the file and every broken field of a bad regime', () => {
    const broken = structuredClone(basel) as Record<string, any>;
    broken.outflows[2].rate = 0.05;
    broken.caps.level2_over_level1 = 'two thirds';
    broken.inflows[0].product = 'RETAIL_DEPOSIT';
    const dir = regimeDir({ broken });
    expect(() => loadRegime('broken', { dir })).toThrow(RegimeError);
    expect(() => loadRegime('broken', { dir })).toThrow(`${join(dir, 'broken.json')}: `);
    const message = (() => { try { loadRegime('broken', { dir }); } catch (e) { return (e as Error).message; } })();
    expect(message).toContain('outflows[2].rate: ');
    expect(message).toContain('caps.level2_over_level1: must be an exact fraction');
    expect(message).toContain('inflows[0].product: RETAIL_DEPOSIT has no inflow rate');
  });

  it('refuses a file that is not JSON, and an unknown field', () => {
    const dir = regimeDir({ notjson: '{"id": ', extra: { ...basel, surprise: 1 } });
    expect(() => loadRegime('notjson', { dir })).toThrow(/notjson\.json: .*JSON/);
    expect(() => loadRegime('extra', { dir })).toThrow(/extra\.json: \(file\): Unrecognized key: "surprise"/);
  });

  it('refuses an extension that overrides an unknown rule or silently inherits one', () => {
    const child = { id: 'child', version: '1', effective_from: '2020-01-01', description: 'x', extends: 'basel', outflows: [{ id: 'retail_deposit.nope', rate: '0.03', source: 'x' }] };
    const dir = regimeDir({ basel, child });
    const message = (() => { try { loadRegime('child', { dir }); } catch (e) { return (e as Error).message; } })();
    expect(message).toContain('outflows[0].id: no rule retail_deposit.nope in basel');
    expect(message).toContain('outflows: retail_deposit.stable is inherited from basel but neither overridden nor listed in not_confirmed');
  });
});
