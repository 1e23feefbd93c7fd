/**
 * A price-time order book for one instrument, in integer ticks. Besides client orders it holds "house" liquidity:
 * `levels` price levels each side of the reference price, sizes drawn from the seed, which a market maker re-quotes to
 * full size after every order (unless a resting client order now sits at or through that price, which would cross).
 * So every order meets the same depth, and the run is a pure function of the seed and the order sequence.
 * At one price the house quote trades before client orders.
 */

export type Side = 'buy' | 'sell';

export interface BookOrder {
  id: string;
  side: Side;
  qty: number;
  /** Limit price in ticks; undefined for a market order. */
  limitTicks?: number;
  /** 'day' rests the remainder; 'ioc' cancels it; 'fok' trades all at once or nothing. */
  timeInForce?: 'day' | 'ioc' | 'fok';
}

export interface Fill {
  /** The resting order's id, or undefined for house liquidity. */
  makerId: string | undefined;
  priceTicks: number;
  qty: number;
  /** What the resting client order has left after this fill (0 for house fills). */
  makerLeavesQty: number;
}

export interface SubmitResult {
  fills: Fill[];
  /** Left on the book. */
  restingQty: number;
  /** Not traded and not resting (market, IOC or FOK remainder). */
  cancelledQty: number;
}

export interface Level {
  priceTicks: number;
  qty: number;
}

interface Resting {
  id: string;
  priceTicks: number;
  leavesQty: number;
}

interface HouseLevel {
  priceTicks: number;
  qty: number;
  readonly fullQty: number;
}

export interface OrderBookOptions {
  referenceTicks: number;
  /** Price levels of house liquidity each side (default 5). */
  levels?: number;
  /** Uniform [0, 1) numbers; the house sizes come from it. */
  random: () => number;
}

export class OrderBook {
  private readonly clientBids: Resting[] = [];
  private readonly clientAsks: Resting[] = [];
  private readonly houseBids: HouseLevel[] = [];
  private readonly houseAsks: HouseLevel[] = [];

  constructor(options: OrderBookOptions) {
    const levels = options.levels ?? 5;
    for (let k = 1; k <= levels; k++) {
      const bidQty = 100 * (10 + Math.floor(options.random() * 90));
      const askQty = 100 * (10 + Math.floor(options.random() * 90));
      if (options.referenceTicks - k > 0) this.houseBids.push({ priceTicks: options.referenceTicks - k, qty: bidQty, fullQty: bidQty });
      this.houseAsks.push({ priceTicks: options.referenceTicks + k, qty: askQty, fullQty: askQty });
    }
  }

  submit(order: BookOrder): SubmitResult {
    const buy = order.side === 'buy';
    const house = buy ? this.houseAsks : this.houseBids;
    const client = buy ? this.clientAsks : this.clientBids;
    const crosses = (price: number): boolean => order.limitTicks === undefined || (buy ? price <= order.limitTicks : price >= order.limitTicks);
    if (order.timeInForce === 'fok' && this.available(house, client, crosses) < order.qty) {
      return { fills: [], restingQty: 0, cancelledQty: order.qty };
    }
    const fills: Fill[] = [];
    let left = order.qty;
    let h = 0;
    while (left > 0) {
      while (h < house.length && house[h].qty === 0) h++;
      const hl = h < house.length ? house[h] : undefined;
      const cl = client[0];
      const better = (a: number, b: number): boolean => (buy ? a <= b : a >= b);
      const takeHouse = hl !== undefined && (cl === undefined || better(hl.priceTicks, cl.priceTicks));
      const price = takeHouse ? hl!.priceTicks : cl?.priceTicks;
      if (price === undefined || !crosses(price)) break;
      if (takeHouse) {
        const qty = Math.min(left, hl!.qty);
        hl!.qty -= qty;
        left -= qty;
        fills.push({ makerId: undefined, priceTicks: price, qty, makerLeavesQty: 0 });
      } else {
        const qty = Math.min(left, cl.leavesQty);
        cl.leavesQty -= qty;
        left -= qty;
        fills.push({ makerId: cl.id, priceTicks: price, qty, makerLeavesQty: cl.leavesQty });
        if (cl.leavesQty === 0) client.shift();
      }
    }
    let restingQty = 0;
    let cancelledQty = 0;
    if (left > 0) {
      if (order.limitTicks !== undefined && (order.timeInForce ?? 'day') === 'day') {
        this.rest(buy ? this.clientBids : this.clientAsks, { id: order.id, priceTicks: order.limitTicks, leavesQty: left }, buy);
        restingQty = left;
      } else {
        cancelledQty = left;
      }
    }
    this.requote();
    return { fills, restingQty, cancelledQty };
  }

  /** Removes a resting client order; returns what it had left, or undefined if it is not on the book. */
  cancel(id: string): number | undefined {
    for (const side of [this.clientBids, this.clientAsks]) {
      const i = side.findIndex((o) => o.id === id);
      if (i >= 0) {
        const [o] = side.splice(i, 1);
        this.requote();
        return o.leavesQty;
      }
    }
    return undefined;
  }

  /** Aggregated levels, best first; `maxLevels` 0 means all. */
  depth(side: Side, maxLevels = 0): Level[] {
    const buy = side === 'buy';
    const byPrice = new Map<number, number>();
    for (const l of buy ? this.houseBids : this.houseAsks) if (l.qty > 0) byPrice.set(l.priceTicks, (byPrice.get(l.priceTicks) ?? 0) + l.qty);
    for (const o of buy ? this.clientBids : this.clientAsks) byPrice.set(o.priceTicks, (byPrice.get(o.priceTicks) ?? 0) + o.leavesQty);
    const levels = [...byPrice].map(([priceTicks, qty]) => ({ priceTicks, qty })).sort((a, b) => (buy ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks));
    return maxLevels > 0 ? levels.slice(0, maxLevels) : levels;
  }

  /** The best level without aggregating the whole side: the simulator asks it for every order. */
  best(side: Side): Level | undefined {
    const buy = side === 'buy';
    const house = (buy ? this.houseBids : this.houseAsks).find((l) => l.qty > 0);
    const client = buy ? this.clientBids : this.clientAsks;
    const better = (a: number, b: number): boolean => (buy ? a > b : a < b);
    let price = house?.priceTicks;
    if (client.length > 0 && (price === undefined || better(client[0].priceTicks, price))) price = client[0].priceTicks;
    if (price === undefined) return undefined;
    let qty = house?.priceTicks === price ? house.qty : 0;
    for (const o of client) {
      if (o.priceTicks !== price) break;
      qty += o.leavesQty;
    }
    return { priceTicks: price, qty };
  }

  private available(house: HouseLevel[], client: Resting[], crosses: (price: number) => boolean): number {
    let qty = 0;
    for (const l of house) if (crosses(l.priceTicks)) qty += l.qty;
    for (const o of client) if (crosses(o.priceTicks)) qty += o.leavesQty;
    return qty;
  }

  private rest(side: Resting[], order: Resting, buy: boolean): void {
    let i = side.length;
    while (i > 0 && (buy ? side[i - 1].priceTicks < order.priceTicks : side[i - 1].priceTicks > order.priceTicks)) i--;
    side.splice(i, 0, order);
  }

  private requote(): void {
    const bestClientBid = this.clientBids[0]?.priceTicks ?? -Infinity;
    const bestClientAsk = this.clientAsks[0]?.priceTicks ?? Infinity;
    for (const l of this.houseAsks) if (l.priceTicks > bestClientBid) l.qty = l.fullQty;
    for (const l of this.houseBids) if (l.priceTicks < bestClientAsk) l.qty = l.fullQty;
  }
}
