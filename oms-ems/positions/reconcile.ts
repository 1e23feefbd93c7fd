/**
 * The reconciliation of position keeping: every journal entry balances per currency, and the journal summed per
 * account and currency equals what the keeper holds (positions and cash balances), exactly. The sums are computed
 * here from the journal lines alone, not from the keeper's running totals, so a position updated without its entry
 * (or twice, or by hand) shows up as a mismatch naming the account.
 */
import { formatMoney, formatQuantity } from './decimal.js';
import { imbalances, type JournalEntry } from './journal.js';

/** A balance the keeper holds: a position (with its trade count) or a cash account (trade_count null). */
export interface HeldBalance {
  account: string;
  position_id: string | null;
  currency: string;
  quantity: bigint;
  amount: bigint;
  trade_count: number | null;
}

export interface Unbalanced {
  entry_id: string;
  currency: string;
  amount: string;
}

export interface Mismatch {
  account: string;
  currency: string;
  position_id: string | null;
  field: 'quantity' | 'amount' | 'trade_count';
  journal: string;
  held: string;
}

export interface ReconcileResult {
  ok: boolean;
  entries: number;
  accounts: number;
  unbalanced: Unbalanced[];
  mismatches: Mismatch[];
}

interface Sum {
  account: string;
  currency: string;
  quantity: bigint;
  amount: bigint;
  /** BOOK entries minus REVERSE entries touching the account: the trades it holds. */
  trades: number;
}

/**
 * The journal summed per account and currency, entry by entry, with the entries that do not balance. A keeper adds
 * each entry as it writes it, so it need not hold the whole journal to reconcile.
 */
export class JournalSums {
  readonly sums = new Map<string, Sum>();
  readonly unbalanced: Unbalanced[] = [];
  entries = 0;

  add(entry: JournalEntry): void {
    this.entries += 1;
    for (const { currency, amount } of imbalances(entry)) this.unbalanced.push({ entry_id: entry.entry_id, currency, amount: formatMoney(amount, currency) });
    const touched = new Set<string>();
    for (const line of entry.lines) {
      const key = `${line.account}\u0000${line.currency}`;
      const sum = this.sums.get(key) ?? { account: line.account, currency: line.currency, quantity: 0n, amount: 0n, trades: 0 };
      sum.quantity += line.quantity;
      sum.amount += line.amount;
      if (!touched.has(key)) sum.trades += entry.kind === 'BOOK' ? 1 : -1;
      touched.add(key);
      this.sums.set(key, sum);
    }
  }
}

export function reconcile(journal: Iterable<JournalEntry> | JournalSums, held: Iterable<HeldBalance>): ReconcileResult {
  let summed: JournalSums;
  if (journal instanceof JournalSums) summed = journal;
  else {
    summed = new JournalSums();
    for (const entry of journal) summed.add(entry);
  }
  const { sums, unbalanced, entries } = summed;

  const mismatches: Mismatch[] = [];
  const seen = new Set<string>();
  for (const h of held) {
    const key = `${h.account}\u0000${h.currency}`;
    seen.add(key);
    const sum = sums.get(key) ?? { account: h.account, currency: h.currency, quantity: 0n, amount: 0n, trades: 0 };
    const at = { account: h.account, currency: h.currency, position_id: h.position_id };
    if (sum.quantity !== h.quantity) mismatches.push({ ...at, field: 'quantity', journal: formatQuantity(sum.quantity), held: formatQuantity(h.quantity) });
    if (sum.amount !== h.amount) mismatches.push({ ...at, field: 'amount', journal: formatMoney(sum.amount, h.currency), held: formatMoney(h.amount, h.currency) });
    if (h.trade_count !== null && sum.trades !== h.trade_count) mismatches.push({ ...at, field: 'trade_count', journal: String(sum.trades), held: String(h.trade_count) });
  }
  // Journal balances nobody holds must be zero (a position that moved to another account or currency while flat).
  for (const [key, sum] of sums) {
    if (seen.has(key)) continue;
    const at = { account: sum.account, currency: sum.currency, position_id: null };
    if (sum.quantity !== 0n) mismatches.push({ ...at, field: 'quantity', journal: formatQuantity(sum.quantity), held: '0' });
    if (sum.amount !== 0n) mismatches.push({ ...at, field: 'amount', journal: formatMoney(sum.amount, sum.currency), held: '0' });
  }
  return { ok: unbalanced.length === 0 && mismatches.length === 0, entries, accounts: sums.size, unbalanced, mismatches };
}
