/**
 * The treasury feed: the funding and liquidity side of each legal entity's balance sheet, as `treasury.deals` events.
 * An opening book gives every entity a believable LCR (central-bank reserves and cash; stable and less stable retail
 * deposits; operational and non-operational wholesale deposits; repos against government, covered and corporate
 * collateral; reverse repos; loans and interbank placements; committed credit and liquidity facilities), then each
 * day rolls some deals, books new ones, amends balances and cancels a few (tombstones).
 * Deterministic for a seed; amounts in the entity's reporting currency, in whole currency units.
 */
import type { CounterpartyType } from '../schemas/common.js';
import type { DealType, TreasuryDealEvent } from '../schemas/treasury-deal-event.js';
import { addDays, createRandom, type Random } from './random.js';
import type { Counterparty, Instrument, LegalEntity, Universe } from './universe.js';

export type TreasuryDeal = Omit<TreasuryDealEvent, 'event_id' | 'schema_version' | 'event_time' | 'source'>;

interface DealPlan {
  dealType: DealType;
  counterpartyType: CounterpartyType | null;
  /** Share of the entity's balance sheet scale, in total over the opening book. */
  share: number;
  count: number;
  /** Days to maturity: null = open; else a range. */
  tenor: [number, number] | null;
  flags?: Partial<Pick<TreasuryDeal, 'is_operational' | 'is_insured' | 'has_relationship'>>;
  collateral?: 'L1' | 'L2A' | 'L2B' | 'NON_HQLA';
}

/** The opening book as shares of a scale of 10bn in the reporting currency. */
const openingPlan: DealPlan[] = [
  { dealType: 'CB_RESERVES', counterpartyType: 'CENTRAL_BANK', share: 0.2, count: 1, tenor: null },
  { dealType: 'CASH', counterpartyType: null, share: 0.005, count: 1, tenor: null },
  { dealType: 'DEPOSIT', counterpartyType: 'RETAIL', share: 0.9, count: 60, tenor: null, flags: { is_insured: true, has_relationship: true } },
  { dealType: 'DEPOSIT', counterpartyType: 'RETAIL', share: 0.4, count: 30, tenor: [7, 365], flags: { is_insured: false } },
  { dealType: 'DEPOSIT', counterpartyType: 'SMALL_BUSINESS', share: 0.2, count: 30, tenor: null, flags: { is_insured: true } },
  { dealType: 'DEPOSIT', counterpartyType: 'NON_FINANCIAL_CORPORATE', share: 0.25, count: 20, tenor: null, flags: { is_operational: true } },
  { dealType: 'DEPOSIT', counterpartyType: 'NON_FINANCIAL_CORPORATE', share: 0.3, count: 20, tenor: [1, 180] },
  { dealType: 'DEPOSIT', counterpartyType: 'SOVEREIGN_DOMESTIC', share: 0.05, count: 4, tenor: [7, 90], flags: { is_insured: false } },
  { dealType: 'DEPOSIT', counterpartyType: 'BANK', share: 0.12, count: 10, tenor: [1, 60] },
  { dealType: 'DEPOSIT', counterpartyType: 'OTHER_FINANCIAL', share: 0.06, count: 8, tenor: [1, 90] },
  { dealType: 'REPO', counterpartyType: 'BANK', share: 0.15, count: 10, tenor: [1, 60], collateral: 'L1' },
  { dealType: 'REPO', counterpartyType: 'OTHER_FINANCIAL', share: 0.05, count: 5, tenor: [1, 30], collateral: 'L2A' },
  { dealType: 'REPO', counterpartyType: 'BANK', share: 0.03, count: 4, tenor: [1, 45], collateral: 'NON_HQLA' },
  { dealType: 'REPO', counterpartyType: 'CENTRAL_BANK', share: 0.04, count: 2, tenor: [7, 90], collateral: 'L2B' },
  { dealType: 'REVERSE_REPO', counterpartyType: 'BANK', share: 0.08, count: 8, tenor: [1, 45], collateral: 'L1' },
  { dealType: 'REVERSE_REPO', counterpartyType: 'OTHER_FINANCIAL', share: 0.04, count: 4, tenor: [1, 60], collateral: 'L2A' },
  { dealType: 'REVERSE_REPO', counterpartyType: 'OTHER_FINANCIAL', share: 0.02, count: 3, tenor: [1, 30], collateral: 'NON_HQLA' },
  { dealType: 'LOAN', counterpartyType: 'NON_FINANCIAL_CORPORATE', share: 0.3, count: 30, tenor: [5, 720] },
  { dealType: 'LOAN', counterpartyType: 'RETAIL', share: 0.1, count: 20, tenor: [10, 1800] },
  { dealType: 'LOAN', counterpartyType: 'SMALL_BUSINESS', share: 0.05, count: 10, tenor: null },
  { dealType: 'PLACEMENT', counterpartyType: 'BANK', share: 0.08, count: 8, tenor: [1, 60] },
  { dealType: 'PLACEMENT', counterpartyType: 'BANK', share: 0.02, count: 2, tenor: null, flags: { is_operational: true } },
  { dealType: 'CREDIT_FACILITY', counterpartyType: 'NON_FINANCIAL_CORPORATE', share: 0.3, count: 15, tenor: [180, 1800] },
  { dealType: 'CREDIT_FACILITY', counterpartyType: 'RETAIL', share: 0.05, count: 10, tenor: [365, 1800] },
  { dealType: 'LIQUIDITY_FACILITY', counterpartyType: 'OTHER_FINANCIAL', share: 0.04, count: 3, tenor: [180, 720] },
  { dealType: 'LIQUIDITY_FACILITY', counterpartyType: 'OTHER', share: 0.02, count: 2, tenor: [180, 720] },
];

const scale = 10_000_000_000;

export interface TreasuryFeedOptions {
  seed: number;
  universe: Universe;
}

/** Keeps the live deals so later days can roll, amend and cancel them. */
export class TreasuryFeed {
  private readonly rand: Random;
  private readonly live = new Map<string, TreasuryDeal>();
  private sequence = 0;

  constructor(private readonly options: TreasuryFeedOptions) {
    this.rand = createRandom(options.seed ^ 0x7ea5);
  }

  /** Deals in force at the start: what the balance sheet holds before the first simulated day. */
  openingBook(entity: LegalEntity, date: string): TreasuryDeal[] {
    const out: TreasuryDeal[] = [];
    for (const plan of openingPlan) {
      for (let i = 0; i < plan.count; i++) {
        const amount = Math.round(((scale * plan.share) / plan.count) * (0.5 + this.rand.next()));
        out.push(this.book(this.newDeal(entity, plan, date, amount)));
      }
    }
    return out;
  }

  /** One day's activity for an entity: about `count` new deals, roll-overs of maturing ones, amendments, cancels. */
  day(entity: LegalEntity, date: string, count: number): TreasuryDeal[] {
    const out: TreasuryDeal[] = [];
    for (const deal of [...this.live.values()]) {
      if (deal.legal_entity !== entity.id) continue;
      if (deal.maturity_date !== null && deal.maturity_date <= date) {
        this.live.delete(deal.deal_id);
        if (this.rand.chance(0.7)) out.push(this.book({ ...deal, version: deal.version + 1, action: 'AMEND', start_date: date, maturity_date: addDays(date, this.rand.int(7, 90)), trade_date: date }));
      } else if (this.rand.chance(0.02)) {
        const factor = 0.9 + this.rand.next() * 0.2;
        const changed = { ...deal, version: deal.version + 1, action: 'AMEND' as const, principal: Math.round(deal.principal * factor), trade_date: date };
        if (changed.drawn_amount !== null) changed.drawn_amount = Math.min(changed.principal, Math.round(changed.principal * this.rand.next() * 0.5));
        // A repo's collateral moves with its cash leg.
        if (changed.collateral_market_value !== null) changed.collateral_market_value = Math.round(changed.collateral_market_value * factor);
        if (changed.collateral_nominal !== null) changed.collateral_nominal = Math.round(changed.collateral_nominal * factor);
        out.push(this.book(changed));
      } else if (this.rand.chance(0.002) && deal.deal_type !== 'CB_RESERVES' && deal.deal_type !== 'CASH') {
        this.live.delete(deal.deal_id);
        out.push({ ...deal, version: deal.version + 1, action: 'CANCEL', trade_date: date });
      }
    }
    for (let i = 0; i < count; i++) {
      const plan = this.rand.weighted(openingPlan.filter((p) => p.dealType !== 'CB_RESERVES' && p.dealType !== 'CASH').map((p) => [p, p.share] as const));
      const amount = Math.round((scale * plan.share) / plan.count / 20 * (0.5 + this.rand.next()));
      out.push(this.book(this.newDeal(entity, plan, date, amount)));
    }
    return out;
  }

  private book(deal: TreasuryDeal): TreasuryDeal {
    this.live.set(deal.deal_id, deal);
    return deal;
  }

  private counterparty(type: CounterpartyType | null): Counterparty | null {
    if (type === null) return null;
    const cps = this.options.universe.treasuryCounterparties.get(type);
    return cps === undefined || cps.length === 0 ? null : this.rand.pick(cps);
  }

  private collateral(entity: LegalEntity, level: NonNullable<DealPlan['collateral']>): Instrument {
    const instruments = this.options.universe.instruments;
    const candidates = instruments.filter((i) => {
      if (level === 'L1') return i.risk_weight === 0 && (i.issuer_type === 'SOVEREIGN' || i.issuer_type === 'MDB' || i.issuer_type === 'PSE');
      if (level === 'L2A') return i.risk_weight === 0.2 || (i.asset_class === 'COVERED_BOND' && i.rating === 'AAA');
      if (level === 'L2B') return i.asset_class === 'CORPORATE_BOND' && (i.rating === 'BBB' || i.rating === 'BBB-');
      return i.issuer_type === 'BANK' && i.asset_class === 'CORPORATE_BOND';
    });
    const same = candidates.filter((i) => i.currency === entity.reportingCurrency);
    return this.rand.pick(same.length > 0 ? same : candidates);
  }

  private newDeal(entity: LegalEntity, plan: DealPlan, date: string, amount: number): TreasuryDeal {
    const id = `${plan.dealType.slice(0, 3)}-${entity.id}-${String(++this.sequence).padStart(7, '0')}`;
    const cp = this.counterparty(plan.counterpartyType);
    const start = addDays(date, -this.rand.int(0, 200));
    const maturity = plan.tenor === null ? null : addDays(date, this.rand.int(plan.tenor[0], plan.tenor[1]));
    const facility = plan.dealType === 'CREDIT_FACILITY' || plan.dealType === 'LIQUIDITY_FACILITY';
    const collateral = plan.collateral === undefined ? null : this.collateral(entity, plan.collateral);
    const haircut = plan.collateral === 'L1' ? 1.02 : plan.collateral === 'L2A' ? 1.08 : 1.2;
    const collateralValue = collateral === null ? null : Math.round(amount * haircut);
    return {
      deal_id: id,
      version: 1,
      action: 'NEW',
      deal_type: plan.dealType,
      legal_entity: entity.id,
      book_id: entity.books[entity.books.length - 1],
      counterparty_id: plan.dealType === 'CASH' ? null : cp?.counterparty_id ?? null,
      counterparty_type: plan.dealType === 'CASH' ? null : cp?.counterparty_type ?? plan.counterpartyType,
      currency: entity.reportingCurrency,
      principal: amount,
      drawn_amount: facility ? Math.round(amount * this.rand.next() * 0.3) : null,
      interest_rate: plan.dealType === 'CASH' ? null : Math.round(this.rand.next() * 500) / 100,
      start_date: start,
      maturity_date: maturity,
      notice_days: plan.dealType === 'DEPOSIT' && maturity === null ? this.rand.pick([0, 0, 0, 31, 95]) : null,
      is_operational: plan.flags?.is_operational ?? false,
      is_insured: plan.flags?.is_insured ?? false,
      has_relationship: plan.flags?.has_relationship ?? false,
      collateral_instrument_id: collateral?.instrument_id ?? null,
      collateral_nominal: collateral === null || collateralValue === null ? null : Math.round(collateralValue / (collateral.price / 100)),
      collateral_market_value: collateralValue,
      collateral_rehypothecated: plan.dealType === 'REVERSE_REPO' ? this.rand.chance(0.2) : null,
      trade_date: start,
    };
  }
}
