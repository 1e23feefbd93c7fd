/**
 * A sink that lets the simulated market run at a chosen pace: events whose time is up to the cutoff go through to the
 * inner sink at once; the simulator waits on the first event beyond it until `advanceTo` moves the cutoff on. One
 * simulation run then feeds a demo that keeps trading (its ids stay unique across days, unlike separate runs).
 */
import type { EventSink, SimEvent } from './event-sink.js';

export class PacedSink implements EventSink {
  readonly keepsEvents = true;
  private cutoffMs: number;
  private wake: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private waiting = false;
  private finished = false;

  constructor(private readonly inner: EventSink, cutoffMs: number) {
    this.cutoffMs = cutoffMs;
  }

  get description(): string {
    return `${this.inner.description} (paced)`;
  }

  /** The events' time the simulator may reach before it waits. */
  get cutoff(): number {
    return this.cutoffMs;
  }

  async write(events: SimEvent[]): Promise<void> {
    let rest = events;
    for (;;) {
      const due = rest.filter((e) => e.timestampMs <= this.cutoffMs);
      if (due.length > 0) await this.inner.write(due);
      rest = rest.filter((e) => e.timestampMs > this.cutoffMs);
      if (rest.length === 0) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.waiting = true;
        for (const idle of this.idleWaiters.splice(0)) idle();
      });
    }
  }

  writeLines(): Promise<void> {
    return Promise.reject(new Error('PacedSink takes events, not formatted lines: simulate with one worker'));
  }

  /** Lets the simulator go on up to `cutoffMs`. */
  advanceTo(cutoffMs: number): void {
    if (cutoffMs <= this.cutoffMs) return;
    this.cutoffMs = cutoffMs;
    this.waiting = false;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves once everything up to the cutoff has been written: the simulator waits on a later event, or is done. */
  idle(): Promise<void> {
    if (this.waiting || this.finished) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The simulation ended (no more events will come). */
  markFinished(): void {
    this.finished = true;
    for (const idle of this.idleWaiters.splice(0)) idle();
  }

  counts(): Record<string, number> {
    return this.inner.counts();
  }

  async close(): Promise<void> {
    this.markFinished();
    await this.inner.close();
  }
}
