import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicValidator } from '../../test/json-schema-validator.js';
import { runCli } from '../../test/cli.js';
import { PositionKeeper } from '../positions/position-keeper.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import { RecordFileSink } from './event-sink.js';
import { simulate, type SimulateOptions } from './simulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Line {
  topic: string;
  key: string | null;
  value: Record<string, unknown> | string;
  timestamp: string;
}

async function run(name: string, options: Partial<SimulateOptions> = {}) {
  const path = join(dir, `${name}.jsonl`);
  const sink = new RecordFileSink(path);
  const summary = await simulate({ seed: 7, tradesPerDay: 1_500, days: 2, startDate: '2026-03-02', sink, ...options });
  await sink.close();
  const text = await readFile(path, 'utf8');
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
  return { summary, text, lines };
}

describe('the simulator', () => {
  it('gives the same events for the same seed, byte for byte, and other events for another seed', async () => {
    const a = await run('a');
    const b = await run('b');
    const c = await run('c', { seed: 8 });
    expect(b.text).toBe(a.text);
    expect(c.text).not.toBe(a.text);
    // An order's last fills may take a day a few trades past its target.
    expect(a.summary.trades).toBeGreaterThanOrEqual(3_000);
    expect(a.summary.trades).toBeLessThan(3_050);
  });

  it('gives the same events from two worker threads, run after run, each book kept by one thread', async () => {
    const a = await run('w2a', { workers: 2 });
    const b = await run('w2b', { workers: 2 });
    expect(b.text).toBe(a.text);
    expect(a.summary.reconciliation.ok).toBe(true);
    expect(a.summary.trades).toBeGreaterThanOrEqual(3_000);
    // Reference data once, not once per thread; ids never shared between threads.
    const one = await run('w1', { badShare: 0 });
    const refIds = (r: typeof a) => new Set(r.lines.filter((l) => l.topic === 'ref.counterparties' && typeof l.value !== 'string').map((l) => (l.value as { event_id: string }).event_id));
    expect(refIds(a)).toEqual(refIds(one));
    expect(a.summary.events['ref.counterparties']).toBeLessThan(one.summary.events['ref.counterparties'] * 1.1);
    const tradeIds = a.lines.filter((l) => l.topic === 'trades' && typeof l.value !== 'string').map((l) => `${(l.value as { trade_id: string }).trade_id}/${(l.value as { version: number }).version}`);
    expect(new Set(tradeIds).size).toBeGreaterThan(a.summary.trades - 5);
  });

  it('emits events that validate against their exported JSON Schema, on every topic, when nothing is damaged', async () => {
    const { lines, summary } = await run('clean', { badShare: 0 });
    const topics = new Set(lines.map((l) => l.topic));
    expect([...topics].sort()).toEqual(['executions', 'orders', 'positions', 'ref.counterparties', 'ref.fx_rates', 'ref.instruments', 'trades', 'treasury.deals']);
    for (const topic of topics) {
      const validate = topicValidator(topic);
      for (const line of lines.filter((l) => l.topic === topic)) {
        expect(validate(line.value), `${topic} ${JSON.stringify(line.value).slice(0, 200)}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(summary.bad).toEqual({ malformed: 0, invalid: 0, duplicate: 0, out_of_order: 0 });
    expect(summary.events.trades).toBe(summary.trades + summary.corrections);
  });

  it('damages the share of records it is asked to, and says how many of each kind', async () => {
    const { lines, summary } = await run('bad', { badShare: 0.05 });
    const damaged = summary.bad.malformed + summary.bad.invalid + summary.bad.duplicate + summary.bad.out_of_order;
    const clean = lines.length - summary.bad.duplicate;
    expect(damaged / clean).toBeGreaterThan(0.035);
    expect(damaged / clean).toBeLessThan(0.065);
    expect(lines.filter((l) => typeof l.value === 'string')).toHaveLength(summary.bad.malformed);
    const ids = lines.filter((l) => typeof l.value !== 'string').map((l) => `${l.topic}/${(l.value as { event_id?: string }).event_id}`);
    expect(ids.length - new Set(ids).size).toBeGreaterThanOrEqual(summary.bad.duplicate - summary.bad.invalid);
    const late = lines.filter((l, i) => i > 0 && Date.parse(l.timestamp) < Date.parse(lines[i - 1].timestamp));
    expect(late.length).toBeGreaterThan(0);
  });

  it('sends late corrections, some with versions out of order (a version 3 before its version 2)', async () => {
    const { lines, summary } = await run('corrections', { badShare: 0, correctionShare: 0.05 });
    expect(summary.corrections).toBeGreaterThan(50);
    expect(summary.versionsOutOfOrder).toBeGreaterThan(0);
    const versions = new Map<string, number[]>();
    for (const l of lines.filter((x) => x.topic === 'trades')) {
      const t = l.value as unknown as TradeEvent;
      versions.set(t.trade_id, [...(versions.get(t.trade_id) ?? []), t.version]);
    }
    expect([...versions.values()].some((v) => v.join() === '1,3,2')).toBe(true);
    const correction = lines.find((l) => l.topic === 'trades' && (l.value as unknown as TradeEvent).version === 2)!;
    // Back-dated: the business time is the original trade's, the record arrives later.
    expect(Date.parse((correction.value as unknown as TradeEvent).event_time)).toBeLessThan(Date.parse(correction.timestamp));
  });

  it('leaves journal and positions reconciled, and replaying the day\'s trades into position keeping changes nothing', async () => {
    const { lines, summary } = await run('positions', { badShare: 0 });
    expect(summary.reconciliation.ok).toBe(true);
    const trades = lines.filter((l) => l.topic === 'trades').map((l) => l.value as unknown as TradeEvent);
    const keeper = new PositionKeeper();
    // What the simulator emitted on `positions` is what a fresh keeper gives from its trades.
    const events = trades.flatMap((t) => keeper.apply(t).events);
    expect(events).toEqual(lines.filter((l) => l.topic === 'positions').map((l) => l.value));
    const before = keeper.snapshot();
    expect(keeper.reconcile().ok).toBe(true);
    const replayEvents = trades.flatMap((t) => keeper.apply(t).events);
    expect(replayEvents).toEqual([]);
    expect(keeper.snapshot()).toEqual(before);
  });
});

describe('lakehouse simulate', () => {
  it('writes a record file and prints a summary; bad options exit 2 naming the option', async () => {
    const path = join(dir, 'cli.jsonl');
    const ok = await runCli(['simulate', '--sink', `file:${path}`, '--trades-per-day', '300', '--seed', '3', '--start-date', '2026-03-02', '--format', 'json', '--log-level', 'warn']);
    expect(ok.code, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary).toMatchObject({ days: ['2026-03-02'], reconciliation: { ok: true } });
    expect(summary.trades).toBeGreaterThanOrEqual(300);
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(Object.values(summary.events as Record<string, number>).reduce((a, b) => a + b, 0));
    for (const [args, flag] of [[['--sink', 'nowhere'], '--sink'], [['--bad-share', '2'], '--bad-share'], [['--days', '0'], '--days'], [['--start-date', '2026-3-2'], '--start-date'], [['--entities', 'bank-a'], '--entities']] as const) {
      const bad = await runCli(['simulate', ...args]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(flag);
    }
  });
});
