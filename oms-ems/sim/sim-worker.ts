/** A simulator worker thread: simulates its slice and posts record-file chunks, at most two ahead of the writer. */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../lib/log.js';
import { recordLines } from './event-sink.js';
import { simulateSlice, type SimulationSlice, type SliceOptions } from './simulator.js';
import type { WorkerMessage } from './sim-workers.js';

const { options, slice, logLevel, format } = workerData as { options: SliceOptions; slice: SimulationSlice; logLevel: string; format: boolean };
const port = parentPort!;
let unacked = 0;
let waiting: (() => void) | undefined;
port.on('message', () => {
  unacked--;
  waiting?.();
});

const post = (m: WorkerMessage): void => port.postMessage(m);

try {
  const summary = await simulateSlice(options, slice, async (events) => {
    const counts: Record<string, number> = {};
    for (const e of events) counts[e.topic] = (counts[e.topic] ?? 0) + 1;
    // A sink that keeps only counts gets no text: the events were made, and formatting them would be waste.
    post({ kind: 'chunk', text: format ? recordLines(events) : '', counts });
    unacked++;
    while (unacked > 2) await new Promise<void>((resolve) => (waiting = resolve));
  }, createLogger({ level: logLevel }));
  post({ kind: 'done', summary });
} catch (err) {
  post({ kind: 'error', message: (err as Error).stack ?? String(err) });
}
