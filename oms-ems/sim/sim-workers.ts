/**
 * The simulation spread over worker threads, one slice of the legal entities each. Workers format their events as
 * record-file lines (the expensive part runs in parallel) and post them in chunks; this thread writes the chunks to
 * the sink in a fixed rotation (slice 0's first chunk, slice 1's first, slice 0's second, ...), so the output depends on
 * the seed and the number of workers only. A worker waits for its chunk to be written before making more than two.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lib/log.js';
import type { EventSink } from './event-sink.js';
import type { SimulationSlice, SimulationSummary, SliceOptions } from './simulator.js';

export type WorkerMessage =
  | { kind: 'chunk'; text: string; counts: Record<string, number> }
  | { kind: 'done'; summary: SimulationSummary }
  | { kind: 'error'; message: string };

/** The compiled worker script: beside this module in dist/, or dist/ of the repo when running from TypeScript. */
function workerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'sim-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(here, '..', '..', 'dist', 'oms-ems', 'sim', 'sim-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`the simulator's worker script is not built (looked for ${beside} and ${built}): run npm run build, or use one worker`);
}

class Channel {
  private readonly queue: WorkerMessage[] = [];
  private wake: (() => void) | undefined;
  constructor(readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => this.push(m));
    worker.on('error', (err) => this.push({ kind: 'error', message: err.message }));
    worker.on('exit', (code) => { if (code !== 0) this.push({ kind: 'error', message: `simulator worker exited with code ${code}` }); });
  }
  private push(m: WorkerMessage): void {
    this.queue.push(m);
    this.wake?.();
  }
  async next(): Promise<WorkerMessage> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.queue.shift()!;
  }
}

export async function simulateInWorkers(options: SliceOptions, slices: SimulationSlice[], sink: EventSink, logger?: Logger): Promise<SimulationSummary> {
  const script = workerScript();
  const channels = slices.map((slice) => new Channel(new Worker(script, { workerData: { options, slice, logLevel: logger?.level ?? 'silent', format: sink.keepsEvents !== false } })));
  const summaries: SimulationSummary[] = [];
  try {
    const active = new Set(channels);
    while (active.size > 0) {
      for (const channel of channels) {
        if (!active.has(channel)) continue;
        const m = await channel.next();
        if (m.kind === 'error') throw new Error(m.message);
        if (m.kind === 'done') {
          summaries[channels.indexOf(channel)] = m.summary;
          active.delete(channel);
          continue;
        }
        await sink.writeLines(m.text, m.counts);
        channel.worker.postMessage('ack');
      }
    }
  } finally {
    await Promise.all(channels.map((c) => c.worker.terminate()));
  }
  return mergeSummaries(summaries);
}

function mergeSummaries(all: SimulationSummary[]): SimulationSummary {
  const [first, ...rest] = all;
  const out: SimulationSummary = structuredClone(first);
  for (const s of rest) {
    out.orders += s.orders;
    out.trades += s.trades;
    out.corrections += s.corrections;
    out.versionsOutOfOrder += s.versionsOutOfOrder;
    out.rejectedOrders += s.rejectedOrders;
    out.deadLettered += s.deadLettered;
    for (const k of Object.keys(out.bad) as (keyof SimulationSummary['bad'])[]) out.bad[k] += s.bad[k];
    out.reconciliation = {
      ok: out.reconciliation.ok && s.reconciliation.ok,
      entries: out.reconciliation.entries + s.reconciliation.entries,
      accounts: out.reconciliation.accounts + s.reconciliation.accounts,
    };
  }
  return out;
}
