/**
 * What one venue quotes, as its market data messages say: the best bid and offer per instrument from each
 * MarketDataSnapshotFullRefresh, which instruments were asked for and which answered (a snapshot, or a
 * MarketDataRequestReject: no quote), and whether the venue has market data at all (`quoting`).
 */
import type { FixMessage } from '../fix/codec.js';
import { Tag } from '../fix/tags.js';
import { readSnapshot } from './fix-venue-messages.js';
import type { VenueQuote } from './venue-connection.js';

export class VenueQuotes {
  /** False once the venue refused market data as such; every instrument then reads as unquoted. */
  quoting = true;
  private readonly quotes = new Map<string, VenueQuote>();
  private readonly states = new Map<string, 'asked' | 'answered'>();
  private readonly requests = new Map<string, string>();
  private readonly waiters = new Set<() => void>();

  get(instrumentId: string): VenueQuote | undefined {
    return this.quoting ? this.quotes.get(instrumentId) : undefined;
  }

  /** Whether a request for the instrument went out since the last reset. */
  has(instrumentId: string): boolean {
    return this.states.has(instrumentId);
  }

  asked(mdReqId: string, instrumentId: string): void {
    this.states.set(instrumentId, 'asked');
    this.requests.set(mdReqId, instrumentId);
  }

  onSnapshot(message: FixMessage): void {
    const { instrumentId: symbol, mdReqId, quote } = readSnapshot(message);
    const instrumentId = (mdReqId !== undefined ? this.requests.get(mdReqId) : undefined) ?? symbol;
    if (instrumentId === undefined || !this.quoting) return;
    this.quotes.set(instrumentId, quote);
    this.answered(instrumentId);
  }

  /** A MarketDataRequestReject: the instrument it names stays unquoted. Returns that instrument, if known. */
  onReject(message: FixMessage): string | undefined {
    const mdReqId = message.get(Tag.MDReqID) ?? '';
    const instrumentId = this.requests.get(mdReqId);
    if (instrumentId === undefined) return undefined;
    this.requests.delete(mdReqId);
    this.quotes.delete(instrumentId);
    this.answered(instrumentId);
    return instrumentId;
  }

  /** The venue has no market data. */
  refused(): void {
    this.quoting = false;
    this.quotes.clear();
    this.wake();
  }

  /** Forgets everything (a session ended or began): quotes are stale and requests must be made again. */
  reset(quoting: boolean): void {
    this.quoting = quoting;
    this.quotes.clear();
    this.states.clear();
    this.requests.clear();
    this.wake();
  }

  /** Resolves true once every request made has an answer (or the venue quotes nothing); false after `timeoutMs`. */
  allAnswered(timeoutMs: number): Promise<boolean> {
    const settled = (): boolean => !this.quoting || [...this.states.values()].every((s) => s === 'answered');
    if (settled()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      const check = (): void => {
        if (settled()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Instruments asked for and not answered. */
  get unanswered(): number {
    let n = 0;
    for (const s of this.states.values()) if (s === 'asked') n += 1;
    return n;
  }

  private answered(instrumentId: string): void {
    this.states.set(instrumentId, 'answered');
    this.wake();
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
