import { describe, expect, it } from 'vitest';
import { OrderBook } from './order-book.js';
import { seededRandom } from './seeded-random.js';

const book = (seed = 7, levels = 3) => new OrderBook({ referenceTicks: 10_000, levels, random: seededRandom(seed) });

describe('order book', () => {
  it('seeds the same house depth from the same seed, one tick apart around the reference price', () => {
    const a = book();
    expect(a.depth('buy')).toEqual(book().depth('buy'));
    expect(a.depth('sell').map((l) => l.priceTicks)).toEqual([10_001, 10_002, 10_003]);
    expect(a.depth('buy').map((l) => l.priceTicks)).toEqual([9_999, 9_998, 9_997]);
    expect(a.depth('sell').every((l) => l.qty >= 1_000 && l.qty < 10_000 && l.qty % 100 === 0)).toBe(true);
    expect(book(8).depth('sell')).not.toEqual(a.depth('sell'));
  });

  it('fills a crossing limit order at the resting prices, best first, and re-quotes the house to full size after', () => {
    const b = book();
    const asks = b.depth('sell');
    const qty = asks[0].qty + 100;
    const result = b.submit({ id: 'o1', side: 'buy', qty, limitTicks: 10_002 });
    expect(result.fills).toEqual([
      { makerId: undefined, priceTicks: 10_001, qty: asks[0].qty, makerLeavesQty: 0 },
      { makerId: undefined, priceTicks: 10_002, qty: 100, makerLeavesQty: 0 },
    ]);
    expect(result).toMatchObject({ restingQty: 0, cancelledQty: 0 });
    expect(b.depth('sell')).toEqual(asks);
  });

  it('rests what does not cross, at its limit, and keeps the book uncrossed while it rests', () => {
    const b = book(7, 2);
    const total = b.depth('sell').reduce((s, l) => s + l.qty, 0);
    const result = b.submit({ id: 'big', side: 'buy', qty: total + 500, limitTicks: 10_005 });
    expect(result.fills.reduce((s, f) => s + f.qty, 0)).toBe(total);
    expect(result.restingQty).toBe(500);
    expect(b.best('buy')).toEqual({ priceTicks: 10_005, qty: 500 });
    expect(b.depth('sell')).toEqual([]);
    expect(b.cancel('big')).toBe(500);
    expect(b.depth('sell').map((l) => l.priceTicks)).toEqual([10_001, 10_002]);
    expect(b.cancel('big')).toBeUndefined();
  });

  it('matches client orders by price, then time, after the house quote at the same price', () => {
    const b = book(7, 1);
    b.submit({ id: 's1', side: 'sell', qty: 300, limitTicks: 10_001 });
    b.submit({ id: 's2', side: 'sell', qty: 300, limitTicks: 10_001 });
    const houseQty = b.depth('sell')[0].qty - 600;
    const result = b.submit({ id: 'b1', side: 'buy', qty: houseQty + 400, limitTicks: 10_001 });
    expect(result.fills.map((f) => [f.makerId, f.qty, f.makerLeavesQty])).toEqual([[undefined, houseQty, 0], ['s1', 300, 0], ['s2', 100, 200]]);
  });

  it('cancels what a market or IOC order cannot fill, and fills a FOK order completely or not at all', () => {
    const b = book(7, 1);
    const depth = b.depth('sell')[0].qty;
    expect(b.submit({ id: 'm', side: 'buy', qty: depth + 50 })).toMatchObject({ restingQty: 0, cancelledQty: 50 });
    expect(b.submit({ id: 'i', side: 'buy', qty: depth + 50, limitTicks: 10_001, timeInForce: 'ioc' })).toMatchObject({ restingQty: 0, cancelledQty: 50 });
    expect(b.submit({ id: 'f', side: 'buy', qty: depth + 50, limitTicks: 10_001, timeInForce: 'fok' })).toEqual({ fills: [], restingQty: 0, cancelledQty: depth + 50 });
    expect(b.submit({ id: 'g', side: 'buy', qty: depth, limitTicks: 10_001, timeInForce: 'fok' }).fills).toHaveLength(1);
  });
});
