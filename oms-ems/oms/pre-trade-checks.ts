/**
 * Pre-trade checks: pure rules over an order's terms, the limits, the instrument master and the open orders. Every
 * rule runs and each failure is named, so one breach does not hide another.
 *
 * Limits have two scopes and both must hold. The account scope is `accounts[account]` field by field, else
 * `defaults`; the instrument scope is `instruments[instrument]`, if any. Max open notional of the account scope sums
 * the account's open orders in every instrument; of the instrument scope, the account's open orders in that instrument.
 * Notional = quantity × price, the price being the limit price or, for MARKET orders, the instrument's reference
 * price. A bond unit is 100 of face value and its price is per unit (the instrument master's convention), so
 * quantity × price is the notional for every asset class. Open orders count for their unfilled quantity.
 * Arithmetic is exact (decimal.ts).
 */
import type { AssetClass } from '../schemas/common.js';
import { add, compare, decimal, multiply, toNumber, ZERO, type Decimal } from './decimal.js';

export interface InstrumentRef {
  currency: string;
  /** Reference price per unit (a bond unit is 100 of face value). */
  price: number;
  asset_class: AssetClass;
}
export type InstrumentLookup = (instrumentId: string) => InstrumentRef | undefined;

export interface OrderLimits {
  maxOrderQuantity?: number;
  maxOrderNotional?: number;
  /** Gross notional of open orders, the new one included. */
  maxOpenNotional?: number;
}

export interface LimitsConfig {
  defaults: OrderLimits;
  accounts?: Readonly<Record<string, OrderLimits>>;
  instruments?: Readonly<Record<string, OrderLimits>>;
  restrictedInstruments?: readonly string[];
}

export interface OrderTerms {
  account_id: string;
  instrument_id: string;
  order_type: 'MARKET' | 'LIMIT';
  quantity: number;
  limit_price: number | null;
  currency: string;
}

export interface OpenOrder {
  account_id: string;
  instrument_id: string;
  order_type: 'MARKET' | 'LIMIT';
  limit_price: number | null;
  /** The unfilled quantity. */
  open_quantity: number;
}

export const preTradeRules = [
  'QUANTITY_NOT_POSITIVE',
  'LIMIT_PRICE_REQUIRED',
  'LIMIT_PRICE_NEGATIVE',
  'LIMIT_PRICE_ON_MARKET_ORDER',
  'UNKNOWN_INSTRUMENT',
  'RESTRICTED_INSTRUMENT',
  'CURRENCY_MISMATCH',
  'MAX_ORDER_QUANTITY',
  'MAX_ORDER_NOTIONAL',
  'MAX_OPEN_NOTIONAL_ACCOUNT',
  'MAX_OPEN_NOTIONAL_INSTRUMENT',
] as const;
export type PreTradeRule = (typeof preTradeRules)[number];

export interface PreTradeFailure {
  rule: PreTradeRule;
  message: string;
}

export interface PreTradeContext {
  limits: LimitsConfig;
  instrumentLookup: InstrumentLookup;
  /** The open orders, summed here; or, cheaper for a busy OMS, their sums kept up to date by the caller. */
  openOrders?: readonly OpenOrder[];
  openExposure?: OpenExposure;
}

/** Open notional of the order's account: in all instruments, and in the order's instrument. */
export interface OpenExposure {
  account: Decimal;
  instrument: Decimal;
}

export function openExposure(openOrders: readonly OpenOrder[], account: string, instrumentId: string, instrumentLookup: InstrumentLookup): OpenExposure {
  let accountOpen = ZERO;
  let instrumentOpen = ZERO;
  for (const open of openOrders) {
    if (open.account_id !== account) continue;
    // An open order whose instrument has left the master cannot be valued; it counts as zero, not a guess.
    const value = orderNotional(open, open.open_quantity, instrumentLookup(open.instrument_id)) ?? ZERO;
    accountOpen = add(accountOpen, value);
    if (open.instrument_id === instrumentId) instrumentOpen = add(instrumentOpen, value);
  }
  return { account: accountOpen, instrument: instrumentOpen };
}


/** Quantity × price in the instrument's currency, or undefined when the order cannot be valued. */
export function orderNotional(
  terms: { order_type: 'MARKET' | 'LIMIT'; limit_price: number | null },
  quantity: number,
  instrument: InstrumentRef | undefined,
): Decimal | undefined {
  if (instrument === undefined) return undefined;
  const price = terms.order_type === 'LIMIT' ? terms.limit_price : instrument.price;
  if (price === null || !(price >= 0) || !Number.isFinite(quantity)) return undefined;
  return multiply(decimal(quantity), decimal(price));
}

function exceeds(value: Decimal, limit: number | undefined): limit is number {
  return limit !== undefined && compare(value, decimal(limit)) > 0;
}

export function preTradeChecks(order: OrderTerms, context: PreTradeContext): PreTradeFailure[] {
  const { limits, instrumentLookup } = context;
  const failures: PreTradeFailure[] = [];
  const fail = (rule: PreTradeRule, message: string): void => {
    failures.push({ rule, message });
  };
  const { account_id: account, instrument_id: instrumentId } = order;

  if (!(order.quantity > 0)) fail('QUANTITY_NOT_POSITIVE', `quantity must be > 0, got ${order.quantity}`);
  if (order.order_type === 'LIMIT' && order.limit_price === null) fail('LIMIT_PRICE_REQUIRED', 'a LIMIT order needs a limit_price');
  if (order.limit_price !== null && !(order.limit_price >= 0)) fail('LIMIT_PRICE_NEGATIVE', `limit_price must be >= 0, got ${order.limit_price}`);
  if (order.order_type === 'MARKET' && order.limit_price !== null) fail('LIMIT_PRICE_ON_MARKET_ORDER', 'a MARKET order takes no limit_price');

  const instrument = instrumentLookup(instrumentId);
  if (instrument === undefined) fail('UNKNOWN_INSTRUMENT', `instrument ${instrumentId} is not in the instrument master`);
  if (limits.restrictedInstruments?.includes(instrumentId)) fail('RESTRICTED_INSTRUMENT', `instrument ${instrumentId} is restricted`);
  if (instrument !== undefined && instrument.currency !== order.currency) {
    fail('CURRENCY_MISMATCH', `currency ${order.currency} does not match instrument ${instrumentId}'s ${instrument.currency}`);
  }

  const accountLimits = { ...limits.defaults, ...limits.accounts?.[account] };
  const instrumentLimits = limits.instruments?.[instrumentId] ?? {};
  const scopes = [
    { name: `account ${account}`, limits: accountLimits },
    { name: `instrument ${instrumentId}`, limits: instrumentLimits },
  ];
  const quantity = Number.isFinite(order.quantity) ? decimal(order.quantity) : undefined;
  for (const scope of scopes) {
    const max = scope.limits.maxOrderQuantity;
    if (quantity !== undefined && exceeds(quantity, max)) fail('MAX_ORDER_QUANTITY', `quantity ${order.quantity} exceeds the per-order maximum ${max} of ${scope.name}`);
  }

  const notional = order.quantity > 0 ? orderNotional(order, order.quantity, instrument) : undefined;
  if (notional === undefined) return failures;
  for (const scope of scopes) {
    const max = scope.limits.maxOrderNotional;
    if (exceeds(notional, max)) fail('MAX_ORDER_NOTIONAL', `notional ${toNumber(notional)} exceeds the per-order maximum ${max} of ${scope.name}`);
  }

  const exposure = context.openExposure ?? openExposure(context.openOrders ?? [], account, instrumentId, instrumentLookup);
  const accountOpen = add(notional, exposure.account);
  const instrumentOpen = add(notional, exposure.instrument);
  const maxAccount = accountLimits.maxOpenNotional;
  if (exceeds(accountOpen, maxAccount)) {
    fail('MAX_OPEN_NOTIONAL_ACCOUNT', `open notional ${toNumber(accountOpen)} with this order exceeds the maximum ${maxAccount} of account ${account}`);
  }
  const maxInstrument = instrumentLimits.maxOpenNotional;
  if (exceeds(instrumentOpen, maxInstrument)) {
    fail('MAX_OPEN_NOTIONAL_INSTRUMENT', `open notional ${toNumber(instrumentOpen)} of account ${account} in instrument ${instrumentId} with this order exceeds the maximum ${maxInstrument} of instrument ${instrumentId}`);
  }
  return failures;
}
