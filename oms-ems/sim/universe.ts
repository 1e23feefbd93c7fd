/**
 * The simulated bank's world, deterministic for a seed: its legal entities, the instrument master (with the attributes
 * that decide HQLA level) and the counterparty directory (with the LCR counterparty types).
 *
 * The instrument list is built so that every HQLA class and every reason for not being HQLA occurs: 0% risk-weight
 * sovereigns and MDBs (Level 1), 20% sovereigns, agencies, AA covered and corporate bonds (2A), RMBS that meet the
 * criteria (2B RMBS), BBB corporates and index equities (2B), and bank bonds, bank shares, high-LTV RMBS, junk,
 * off-index equities and commodities (not HQLA).
 */
import type { CounterpartyType, Rating } from '../schemas/common.js';
import type { CounterpartyEvent } from '../schemas/counterparty-event.js';
import type { InstrumentEvent, IssuerType } from '../schemas/instrument-event.js';
import { addDays, createRandom, type Random } from './random.js';

export interface LegalEntity {
  id: string;
  country: string;
  reportingCurrency: string;
  books: string[];
}

export const defaultEntities: readonly LegalEntity[] = [
  { id: 'BANK_A', country: 'US', reportingCurrency: 'USD', books: ['BOOK-A-RATES', 'BOOK-A-CREDIT', 'BOOK-A-EQ', 'BOOK-A-TSY'] },
  { id: 'BANK_B', country: 'DE', reportingCurrency: 'EUR', books: ['BOOK-B-RATES', 'BOOK-B-CREDIT', 'BOOK-B-TSY'] },
  { id: 'BANK_C', country: 'GB', reportingCurrency: 'GBP', books: ['BOOK-C-RATES', 'BOOK-C-EQ', 'BOOK-C-TSY'] },
];

/** A bond unit is 100 of face value: prices are per unit, so quantity x price is the market value. */
export type Instrument = Omit<InstrumentEvent, 'event_id' | 'schema_version' | 'event_time' | 'source'>;
export type Counterparty = Omit<CounterpartyEvent, 'event_id' | 'schema_version' | 'event_time' | 'source'>;

export interface Universe {
  entities: readonly LegalEntity[];
  instruments: Instrument[];
  counterparties: Counterparty[];
  /** Dealers and clearing houses the venues fill against, by id. */
  tradingCounterparties: Counterparty[];
  /** Depositors, borrowers and funding providers of the treasury feed, by LCR counterparty type. */
  treasuryCounterparties: Map<CounterpartyType, Counterparty[]>;
}

interface IssuerTemplate {
  issuerId: string;
  issuerType: IssuerType;
  country: string;
  currency: string;
  riskWeight: number;
  rating: Rating | null;
  cbEligible: boolean;
  assetClass: InstrumentEvent['asset_class'];
  count: number;
  price: [number, number];
  rmbs?: { fullRecourse: boolean; ltv: number };
  index?: string | null;
  name: string;
}

const issuers: IssuerTemplate[] = [
  { issuerId: 'US-TREASURY', issuerType: 'SOVEREIGN', country: 'US', currency: 'USD', riskWeight: 0, rating: 'AA+', cbEligible: true, assetClass: 'GOVT_BOND', count: 12, price: [94, 104], name: 'US Treasury' },
  { issuerId: 'DE-FINANZAGENTUR', issuerType: 'SOVEREIGN', country: 'DE', currency: 'EUR', riskWeight: 0, rating: 'AAA', cbEligible: true, assetClass: 'GOVT_BOND', count: 8, price: [95, 103], name: 'Bundesrepublik Deutschland' },
  { issuerId: 'UK-DMO', issuerType: 'SOVEREIGN', country: 'GB', currency: 'GBP', riskWeight: 0, rating: 'AA', cbEligible: true, assetClass: 'GOVT_BOND', count: 8, price: [92, 104], name: 'UK Gilt' },
  { issuerId: 'JP-MOF', issuerType: 'SOVEREIGN', country: 'JP', currency: 'JPY', riskWeight: 0.2, rating: 'A+', cbEligible: false, assetClass: 'GOVT_BOND', count: 3, price: [98, 101], name: 'Japan Government Bond' },
  { issuerId: 'IT-MEF', issuerType: 'SOVEREIGN', country: 'IT', currency: 'EUR', riskWeight: 0.5, rating: 'BBB', cbEligible: true, assetClass: 'GOVT_BOND', count: 4, price: [90, 102], name: 'Buono del Tesoro Poliennale' },
  { issuerId: 'IBRD', issuerType: 'MDB', country: 'US', currency: 'USD', riskWeight: 0, rating: 'AAA', cbEligible: true, assetClass: 'AGENCY_BOND', count: 3, price: [96, 101], name: 'World Bank' },
  { issuerId: 'KFW', issuerType: 'PSE', country: 'DE', currency: 'EUR', riskWeight: 0, rating: 'AAA', cbEligible: true, assetClass: 'AGENCY_BOND', count: 3, price: [96, 101], name: 'KfW' },
  { issuerId: 'FNMA', issuerType: 'GSE', country: 'US', currency: 'USD', riskWeight: 0.2, rating: 'AA+', cbEligible: true, assetClass: 'AGENCY_BOND', count: 4, price: [95, 101], name: 'Fannie Mae' },
  { issuerId: 'NORDEA-HYPO', issuerType: 'BANK', country: 'SE', currency: 'EUR', riskWeight: 0.1, rating: 'AAA', cbEligible: true, assetClass: 'COVERED_BOND', count: 3, price: [96, 100], name: 'Nordea Covered' },
  { issuerId: 'SMALLBANK-PF', issuerType: 'BANK', country: 'ES', currency: 'EUR', riskWeight: 0.5, rating: 'A', cbEligible: true, assetClass: 'COVERED_BOND', count: 2, price: [94, 99], name: 'Small Bank Cedulas' },
  { issuerId: 'APPLE', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'US', currency: 'USD', riskWeight: 0.2, rating: 'AA+', cbEligible: false, assetClass: 'CORPORATE_BOND', count: 3, price: [93, 102], name: 'Apple Inc.' },
  { issuerId: 'SIEMENS', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'DE', currency: 'EUR', riskWeight: 0.5, rating: 'A+', cbEligible: true, assetClass: 'CORPORATE_BOND', count: 3, price: [95, 101], name: 'Siemens AG' },
  { issuerId: 'FORD', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'US', currency: 'USD', riskWeight: 1, rating: 'BBB-', cbEligible: false, assetClass: 'CORPORATE_BOND', count: 3, price: [88, 100], name: 'Ford Motor Co.' },
  { issuerId: 'TESCO', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'GB', currency: 'GBP', riskWeight: 1, rating: 'BBB', cbEligible: false, assetClass: 'CORPORATE_BOND', count: 2, price: [90, 101], name: 'Tesco plc' },
  { issuerId: 'JUNKCO', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'US', currency: 'USD', riskWeight: 1.5, rating: 'BB-', cbEligible: false, assetClass: 'CORPORATE_BOND', count: 2, price: [70, 95], name: 'Junk Co.' },
  { issuerId: 'BIGBANK', issuerType: 'BANK', country: 'US', currency: 'USD', riskWeight: 0.5, rating: 'A', cbEligible: false, assetClass: 'CORPORATE_BOND', count: 3, price: [95, 101], name: 'Big Bank Senior' },
  { issuerId: 'MORTGAGE-TRUST-1', issuerType: 'OTHER_FINANCIAL', country: 'GB', currency: 'GBP', riskWeight: 0.2, rating: 'AAA', cbEligible: true, assetClass: 'RMBS', count: 2, price: [97, 100], rmbs: { fullRecourse: true, ltv: 0.72 }, name: 'Prime RMBS' },
  { issuerId: 'MORTGAGE-TRUST-2', issuerType: 'OTHER_FINANCIAL', country: 'US', currency: 'USD', riskWeight: 0.5, rating: 'AA', cbEligible: false, assetClass: 'RMBS', count: 2, price: [90, 98], rmbs: { fullRecourse: true, ltv: 0.9 }, name: 'High-LTV RMBS' },
  { issuerId: 'EQ-SPX', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'US', currency: 'USD', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'EQUITY', count: 10, price: [40, 450], index: 'S&P 500', name: 'S&P 500 stock' },
  { issuerId: 'EQ-DAX', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'DE', currency: 'EUR', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'EQUITY', count: 5, price: [30, 250], index: 'DAX', name: 'DAX stock' },
  { issuerId: 'EQ-FTSE', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'GB', currency: 'GBP', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'EQUITY', count: 5, price: [2, 80], index: 'FTSE 100', name: 'FTSE 100 stock' },
  { issuerId: 'EQ-BANKS', issuerType: 'BANK', country: 'US', currency: 'USD', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'EQUITY', count: 3, price: [30, 200], index: 'S&P 500', name: 'bank stock' },
  { issuerId: 'EQ-SMALLCAP', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'US', currency: 'USD', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'EQUITY', count: 4, price: [2, 40], index: null, name: 'small-cap stock' },
  { issuerId: 'COMMODITY', issuerType: 'NON_FINANCIAL_CORPORATE', country: 'GB', currency: 'USD', riskWeight: 1, rating: null, cbEligible: false, assetClass: 'COMMODITY', count: 3, price: [60, 2400], index: null, name: 'commodity' },
];

const isinLetters = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISIN check digit (Luhn over the letters-as-numbers expansion). */
export function isinCheckDigit(body: string): number {
  const digits = [...body].map((c) => isinLetters.indexOf(c)).join('');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function isin(country: string, rand: Random): string {
  let body = country;
  for (let i = 0; i < 9; i++) body += isinLetters[rand.int(0, 35)];
  return body + isinCheckDigit(body);
}

function instrumentsOf(t: IssuerTemplate, rand: Random, startDate: string): Instrument[] {
  const out: Instrument[] = [];
  for (let i = 0; i < t.count; i++) {
    const bond = t.assetClass !== 'EQUITY' && t.assetClass !== 'COMMODITY';
    const id = t.assetClass === 'COMMODITY' ? ['XAU-SPOT', 'BRENT-FUT', 'CU-LME'][i] : isin(t.country, rand);
    const years = bond ? rand.pick([1, 2, 3, 5, 7, 10, 20, 30]) : 0;
    out.push({
      instrument_id: id,
      isin: t.assetClass === 'COMMODITY' ? null : id,
      name: bond ? `${t.name} ${(1 + rand.next() * 4).toFixed(2)}% ${addDays(startDate, years * 365 + rand.int(0, 300)).slice(0, 4)}` : `${t.name} ${i + 1}`,
      asset_class: t.assetClass,
      currency: t.currency,
      issuer_id: t.assetClass === 'COMMODITY' ? null : t.issuerId,
      issuer_type: t.assetClass === 'COMMODITY' ? null : t.issuerType,
      issuer_country: t.assetClass === 'COMMODITY' ? null : t.country,
      risk_weight: t.assetClass === 'COMMODITY' ? null : t.riskWeight,
      rating: t.rating,
      central_bank_eligible: t.cbEligible,
      listed_index: t.index ?? null,
      rmbs_full_recourse: t.rmbs ? t.rmbs.fullRecourse : null,
      rmbs_ltv: t.rmbs ? t.rmbs.ltv : null,
      own_originated: t.rmbs ? false : null,
      maturity_date: bond ? addDays(startDate, years * 365 + rand.int(0, 300)) : null,
      coupon_rate: bond ? Math.round(rand.next() * 500) / 100 : null,
      price: rand.amount(t.price[0], t.price[1], 3),
      price_date: startDate,
      active: true,
    });
  }
  return out;
}

const counterpartyPlan: [CounterpartyType, string, number][] = [
  ['BANK', 'Dealer Bank', 12],
  ['OTHER_FINANCIAL', 'Asset Manager', 10],
  ['OTHER_FINANCIAL', 'Clearing House', 2],
  ['NON_FINANCIAL_CORPORATE', 'Corporate', 30],
  ['SOVEREIGN_DOMESTIC', 'Public Body', 4],
  ['SOVEREIGN_FOREIGN', 'Foreign Sovereign', 3],
  ['CENTRAL_BANK', 'Central Bank', 3],
  ['OTHER', 'Funding SPE', 3],
  ['SMALL_BUSINESS', 'Small Business', 60],
  ['RETAIL', 'Retail Customer', 200],
];

const countries = ['US', 'DE', 'GB', 'FR', 'NL', 'JP', 'CH'];

function counterparties(rand: Random): Counterparty[] {
  const out: Counterparty[] = [];
  let n = 0;
  for (const [type, label, count] of counterpartyPlan) {
    for (let i = 0; i < count; i++) {
      n++;
      const lei = type === 'RETAIL' || type === 'SMALL_BUSINESS' ? null : Array.from({ length: 20 }, () => isinLetters[rand.int(0, 35)]).join('');
      out.push({
        counterparty_id: `CP${String(n).padStart(5, '0')}`,
        name: `${label} ${i + 1}`,
        counterparty_type: type,
        country: label === 'Central Bank' ? ['US', 'DE', 'GB'][i] : rand.pick(countries),
        lei,
        rating: type === 'RETAIL' || type === 'SMALL_BUSINESS' ? null : rand.pick(['AA', 'A+', 'A', 'A-', 'BBB+', 'BBB'] as const),
        active: true,
      });
    }
  }
  return out;
}

export function buildUniverse(options: { seed: number; startDate: string; entities?: readonly LegalEntity[] }): Universe {
  const rand = createRandom(options.seed ^ 0x5eed);
  const instruments = issuers.flatMap((t) => instrumentsOf(t, rand, options.startDate));
  const cps = counterparties(rand);
  const treasuryCounterparties = new Map<CounterpartyType, Counterparty[]>();
  for (const cp of cps) treasuryCounterparties.set(cp.counterparty_type, [...(treasuryCounterparties.get(cp.counterparty_type) ?? []), cp]);
  return {
    entities: options.entities ?? defaultEntities,
    instruments,
    counterparties: cps,
    tradingCounterparties: cps.filter((c) => c.counterparty_type === 'BANK' || c.name.startsWith('Clearing House')),
    treasuryCounterparties,
  };
}
