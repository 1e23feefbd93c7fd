/**
 * End-of-day market data of the simulated world: exchange rates against USD and instrument prices, each a small
 * seeded random walk from one day to the next.
 */
import type { FxRateEvent } from '../schemas/fx-rate-event.js';
import { createRandom, type Random } from './random.js';
import type { Instrument, Universe } from './universe.js';

export type FxRate = Omit<FxRateEvent, 'event_id' | 'schema_version' | 'event_time' | 'source'>;

const startRates: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.2, CHF: 0.88 };

export class MarketData {
  private readonly rand: Random;
  private readonly rates = new Map<string, number>(Object.entries(startRates));
  private readonly prices = new Map<string, number>();

  constructor(seed: number, private readonly universe: Universe) {
    this.rand = createRandom(seed ^ 0xfeed);
    for (const i of universe.instruments) this.prices.set(i.instrument_id, i.price);
  }

  price(instrumentId: string): number {
    const p = this.prices.get(instrumentId);
    if (p === undefined) throw new Error(`no price for instrument ${instrumentId}`);
    return p;
  }

  /** The day's rates: units of each currency per USD, and the inverse pairs gold needs are derivable. */
  fxRates(date: string, moveToday: boolean): FxRate[] {
    const out: FxRate[] = [];
    for (const [ccy, rate] of this.rates) {
      if (ccy === 'USD') continue;
      const next = moveToday ? Math.round(rate * (1 + (this.rand.next() - 0.5) * 0.01) * 1e6) / 1e6 : rate;
      this.rates.set(ccy, next);
      out.push({ rate_date: date, base_currency: 'USD', quote_currency: ccy, rate: next });
    }
    return out;
  }

  /** New versions of every instrument with the day's closing price. */
  closingPrices(date: string): Instrument[] {
    return this.universe.instruments.map((i) => {
      const vol = i.asset_class === 'EQUITY' || i.asset_class === 'COMMODITY' ? 0.03 : 0.006;
      const next = Math.max(0.01, Math.round(this.price(i.instrument_id) * (1 + (this.rand.next() - 0.5) * vol) * 1000) / 1000);
      this.prices.set(i.instrument_id, next);
      return { ...i, price: next, price_date: date };
    });
  }
}
