/**
 * `npm run bench -- simulate`: how fast the simulator generates a day of the trading services' events, at 1,000,000
 * trades a day by default: through the real OMS, EMS, venue order books, trade capture and position keeping, in one
 * process. Measured three times: events generated and discarded in one thread (the generator alone), written to a
 * record file (JSON text on disk) from one thread and from BENCH_WORKERS worker threads, next to the raw speed of
 * writing the same bytes. Needs the build (dist/) for the workers.
 * Options: BENCH_TRADES (default 1000000), BENCH_SEED (default 1), BENCH_WORKERS (default 2).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NullSink, RecordFileSink } from '../oms-ems/sim/event-sink.js';
import { simulate } from '../oms-ems/sim/simulator.js';

const trades = Number(process.env.BENCH_TRADES ?? 1_000_000);
const seed = Number(process.env.BENCH_SEED ?? 1);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));

try {
  for (const threads of [1, workers]) {
    const generated = await simulate({ seed, tradesPerDay: trades, days: 1, startDate: '2026-03-02', sink: new NullSink(), workers: threads });
    const events = Object.values(generated.events).reduce((a, b) => a + b, 0);
    console.log(`simulate, events generated, not written, ${threads} thread(s): ${trades} trades/day -> ${events} events (${generated.orders} orders) in ${generated.seconds.toFixed(1)} s = ${Math.round(events / generated.seconds)} events/s, ${Math.round(generated.trades / generated.seconds)} trades/s; reconciles: ${generated.reconciliation.ok}`);
  }

  const path = join(dir, 'day.jsonl');
  let bytes = 0;
  let oneThreadSeconds = 0;
  for (const threads of [1, workers]) {
    const sink = new RecordFileSink(path);
    const t0 = performance.now();
    const written = await simulate({ seed, tradesPerDay: trades, days: 1, startDate: '2026-03-02', sink, workers: threads });
    await sink.close();
    const seconds = (performance.now() - t0) / 1000;
    if (threads === 1) oneThreadSeconds = seconds;
    bytes = statSync(path).size;
    const events = Object.values(written.events).reduce((a, b) => a + b, 0);
    console.log(`simulate, to a record file, ${threads} thread(s): ${seconds.toFixed(1)} s, ${(bytes / 2 ** 30).toFixed(2)} GiB, ${Math.round(events / seconds)} events/s${threads > 1 ? ` (${(oneThreadSeconds / seconds).toFixed(2)}x one thread)` : ''}; reconciles: ${written.reconciliation.ok}`);
  }
  const seconds = oneThreadSeconds;

  const chunk = Buffer.alloc(64 << 20, 'x');
  const raw = join(dir, 'raw.bin');
  const r0 = performance.now();
  for (let off = 0; off < bytes; off += chunk.length) writeFileSync(raw, chunk, { flag: off === 0 ? 'w' : 'a' });
  const rawSeconds = (performance.now() - r0) / 1000;
  console.log(`raw disk write of the same bytes: ${rawSeconds.toFixed(1)} s (${(bytes / 2 ** 20 / rawSeconds).toFixed(0)} MiB/s); one-thread simulator to file / raw write time: ${(seconds / rawSeconds).toFixed(1)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
