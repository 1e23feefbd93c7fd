import { describe, expect, it } from 'vitest';
import { toNumber } from './decimal.js';
import { orderNotional, preTradeChecks, type OpenOrder, type OrderTerms, type PreTradeContext } from './pre-trade-checks.js';
import { instrumentLookup, instruments, limits } from './test-fixtures.js';

const order: OrderTerms = { account_id: 'ACC-1', instrument_id: 'US0378331005', order_type: 'LIMIT', quantity: 1_000, limit_price: 185.25, currency: 'USD' };
const context: PreTradeContext = { limits, instrumentLookup, openOrders: [] };

function rules(overrides: Partial<OrderTerms>, ctx: Partial<PreTradeContext> = {}): string[] {
  return preTradeChecks({ ...order, ...overrides }, { ...context, ...ctx }).map((f) => f.rule);
}

function open(overrides: Partial<OpenOrder>): OpenOrder {
  return { account_id: 'ACC-1', instrument_id: 'US0378331005', order_type: 'LIMIT', limit_price: 185.25, open_quantity: 100, ...overrides };
}

describe('pre-trade checks', () => {
  it('pass a plain order within every limit', () => {
    expect(preTradeChecks(order, context)).toEqual([]);
  });

  it('QUANTITY_NOT_POSITIVE: refuses a zero or negative quantity, takes a positive one', () => {
    expect(rules({ quantity: 0 })).toEqual(['QUANTITY_NOT_POSITIVE']);
    expect(rules({ quantity: -5 })).toEqual(['QUANTITY_NOT_POSITIVE']);
    expect(rules({ quantity: 1 })).toEqual([]);
  });

  it('LIMIT_PRICE_REQUIRED: refuses a LIMIT order without a price, takes one with', () => {
    expect(rules({ limit_price: null })).toEqual(['LIMIT_PRICE_REQUIRED']);
    expect(rules({ limit_price: 185 })).toEqual([]);
  });

  it('LIMIT_PRICE_NEGATIVE: refuses a negative limit price, takes zero', () => {
    expect(rules({ limit_price: -0.01 })).toEqual(['LIMIT_PRICE_NEGATIVE']);
    expect(rules({ limit_price: 0 })).toEqual([]);
  });

  it('LIMIT_PRICE_ON_MARKET_ORDER: refuses a MARKET order with a limit price, takes one without', () => {
    expect(rules({ order_type: 'MARKET', limit_price: 185 })).toEqual(['LIMIT_PRICE_ON_MARKET_ORDER']);
    expect(rules({ order_type: 'MARKET', limit_price: null })).toEqual([]);
  });

  it('UNKNOWN_INSTRUMENT: refuses an instrument the master does not know', () => {
    const failures = preTradeChecks({ ...order, instrument_id: 'NOPE' }, context);
    expect(failures).toEqual([{ rule: 'UNKNOWN_INSTRUMENT', message: 'instrument NOPE is not in the instrument master' }]);
    expect(rules({ instrument_id: 'US912828ZT05', limit_price: 99 })).toEqual([]);
  });

  it('RESTRICTED_INSTRUMENT: refuses a restricted instrument, takes it once lifted', () => {
    expect(rules({ instrument_id: 'XS0000000001', limit_price: 97 })).toEqual(['RESTRICTED_INSTRUMENT']);
    expect(rules({ instrument_id: 'XS0000000001', limit_price: 97 }, { limits: { ...limits, restrictedInstruments: [] } })).toEqual([]);
  });

  it("CURRENCY_MISMATCH: refuses a currency other than the instrument's", () => {
    expect(preTradeChecks({ ...order, currency: 'EUR' }, context)).toEqual([
      { rule: 'CURRENCY_MISMATCH', message: "currency EUR does not match instrument US0378331005's USD" },
    ]);
    expect(rules({ instrument_id: 'DE0001102580', currency: 'EUR', limit_price: 101 })).toEqual([]);
  });

  it('MAX_ORDER_QUANTITY: applies the account limit (override over defaults), at the boundary', () => {
    const bond = { account_id: 'ACC-SMALL', instrument_id: 'US912828ZT05', limit_price: 99.5 };
    expect(rules({ ...bond, quantity: 1_000 })).toEqual([]);
    const failures = preTradeChecks({ ...order, ...bond, quantity: 1_001 }, context);
    expect(failures).toEqual([{ rule: 'MAX_ORDER_QUANTITY', message: 'quantity 1001 exceeds the per-order maximum 1000 of account ACC-SMALL' }]);
  });

  it('MAX_ORDER_QUANTITY: applies the instrument limit too, whatever the account', () => {
    expect(rules({ quantity: 5_000 })).toEqual([]);
    expect(preTradeChecks({ ...order, quantity: 5_001 }, context).map((f) => f.message)).toEqual([
      'quantity 5001 exceeds the per-order maximum 5000 of instrument US0378331005',
    ]);
  });

  it('MAX_ORDER_NOTIONAL: values a LIMIT order at its limit price, at the boundary', () => {
    const small = { account_id: 'ACC-SMALL', quantity: 1_000 };
    expect(rules({ ...small, limit_price: 100 })).toEqual([]);
    expect(preTradeChecks({ ...order, ...small, limit_price: 100.01 }, context)).toEqual([
      { rule: 'MAX_ORDER_NOTIONAL', message: 'notional 100010 exceeds the per-order maximum 100000 of account ACC-SMALL' },
    ]);
  });

  it('MAX_ORDER_NOTIONAL: values a MARKET order at the reference price', () => {
    const market = { account_id: 'ACC-SMALL', order_type: 'MARKET' as const, limit_price: null };
    expect(rules({ ...market, quantity: 539 })).toEqual([]); // 539 × 185.3 = 99,876.7
    expect(rules({ ...market, quantity: 540 })).toEqual(['MAX_ORDER_NOTIONAL']); // 100,062
  });

  it('MAX_ORDER_NOTIONAL: compares exactly, so 3 × 0.1 is not over a 0.3 limit', () => {
    expect(3 * 0.1).toBeGreaterThan(0.3);
    const tight = { ...limits, defaults: { maxOrderNotional: 0.3 } };
    expect(rules({ quantity: 3, limit_price: 0.1 }, { limits: tight })).toEqual([]);
    expect(rules({ quantity: 3, limit_price: 0.1000001 }, { limits: tight })).toEqual(['MAX_ORDER_NOTIONAL']);
  });

  it('values every asset class as quantity × price (a bond unit is 100 of face value)', () => {
    expect(toNumber(orderNotional({ order_type: 'MARKET', limit_price: null }, 10_000, instruments.US912828ZT05)!)).toBe(995_000);
    expect(toNumber(orderNotional({ order_type: 'MARKET', limit_price: null }, 10, instruments.US0378331005)!)).toBe(1_853);
  });

  it("MAX_OPEN_NOTIONAL_ACCOUNT: sums the account's open orders in every instrument with the new one", () => {
    const small = { account_id: 'ACC-SMALL', quantity: 500 }; // 92,625 of the 200,000 allowed
    const equity = open({ account_id: 'ACC-SMALL', open_quantity: 500, limit_price: 190 }); // 95,000
    const bond = open({ account_id: 'ACC-SMALL', instrument_id: 'US912828ZT05', order_type: 'MARKET', limit_price: null, open_quantity: 200 }); // 19,900
    const otherAccount = open({ account_id: 'ACC-1', open_quantity: 5_000 });
    expect(rules(small, { openOrders: [equity, otherAccount] })).toEqual([]);
    expect(preTradeChecks({ ...order, ...small }, { ...context, openOrders: [equity, bond, otherAccount] })).toEqual([
      { rule: 'MAX_OPEN_NOTIONAL_ACCOUNT', message: 'open notional 207525 with this order exceeds the maximum 200000 of account ACC-SMALL' },
    ]);
  });

  it("MAX_OPEN_NOTIONAL_INSTRUMENT: sums the account's open orders in that instrument only", () => {
    const same = (open_quantity: number): OpenOrder => open({ order_type: 'MARKET', limit_price: null, open_quantity });
    const otherInstrument = open({ instrument_id: 'US912828ZT05', limit_price: 99.5, open_quantity: 100_000 });
    const otherAccount = open({ account_id: 'ACC-2', open_quantity: 5_000 });
    expect(rules({}, { openOrders: [same(4_000), otherInstrument, otherAccount] })).toEqual([]); // 741,200 + 185,250
    const failures = preTradeChecks(order, { ...context, openOrders: [same(4_500), otherInstrument, otherAccount] });
    expect(failures.map((f) => f.rule)).toEqual(['MAX_OPEN_NOTIONAL_INSTRUMENT']);
    expect(failures[0].message).toBe(
      'open notional 1019100 of account ACC-1 in instrument US0378331005 with this order exceeds the maximum 1000000 of instrument US0378331005',
    );
  });

  it('runs every rule, so one breach does not hide another', () => {
    expect(rules({ instrument_id: 'XS0000000001', currency: 'EUR', limit_price: null })).toEqual([
      'LIMIT_PRICE_REQUIRED',
      'RESTRICTED_INSTRUMENT',
      'CURRENCY_MISMATCH',
    ]);
  });
});
