/**
 * `npm run bench -- stream-freshness`: stream mode end to end (issue 6), from a simulated event to the dashboard: the
 * freshness of an event is the wall time of the first gold publish that reflects it minus the event's record
 * timestamp (when it was produced). Target: p95 under 5 s at 5,000 events/s.
 *
 * Per rate (each on a fresh lake, in this process, as `lakehouse run all --stream` wires it):
 *   1. set-up, not timed: one simulated trading day (yesterday, UTC) into the embedded event log, ingested, silver and
 *      gold (business date today) built once; then the fixed cost of a cycle on that lake: 10 events landed, silver
 *      and gold built (median of 3), and a backlog of 2 s of events at the rate built alone: the cost an event, and a
 *      model of the steady cycle it implies;
 *   2. the stream pipeline started: runStream every --interval-ms, ingestBus(stream) with --flush-ms, silver and gold
 *      builds under the lake locks and the run log;
 *   3. events produced into the event log at a steady rate, a small batch every --batch-ms, each record's timestamp the
 *      wall time it was sent. The events change gold's figures, so every cycle publishes: `--mix amend` (default)
 *      AMENDs live deposits with new principals (version + 1 per deal), `--mix new` books new deposits (fresh ids);
 *   4. freshness per event, as issue 6 defines it: the first gold publish whose run.newestEventAt >= the event's
 *      timestamp; and, as a cross-check, exactly: the first publish whose silver version's bronze high-water mark
 *      covers the event's offset. Measured over the events of the --duration window after --warmup; production goes
 *      on (same rate) until they are all covered, or --tail-max seconds, so every measured event sees the load.
 * Printed per rate: events/s achieved, gold publishes, p50/p95/max freshness, the split of a cycle (landing, silver,
 * gold) and of an event's wait (to bronze, waiting for a cycle, silver, gold), silver's slowest statements, the target.
 *
 * Options: --rates 1000,5000  --duration 20 (s measured per rate)  --warmup 5  --interval-ms 250  --flush-ms 200
 *   --batch-ms 50  --mix amend|new  --trades-per-day 500  --seed 42  --tail-max 30  --keep (keep the lakes)  --log warn.
 * Unknown options (`npm run bench` passes its options to every bench) are ignored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { EventLog } from '../bus/event-log.js';
import type { ProduceRecord } from '../bus/event-bus.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { busPositionKey } from '../bronze/encode-batch.js';
import { ingestBus } from '../ingest/bus-ingest.js';
import { runStream, type LayerBuild } from '../pipeline/runner.js';
import { buildSilver, type SilverBuildResult } from '../silver/build-silver.js';
import { silverLog } from '../silver/manifest.js';
import { buildGold, type GoldBuildResult } from '../gold/build-gold.js';
import { withRunLog } from '../metrics/run-log.js';
import { goldRunOutcome, silverRunOutcome } from '../metrics/run-outcomes.js';
import { LocalObjectStore } from '../store/local-store.js';
import { simulate } from '../oms-ems/sim/simulator.js';
import { openSimSink } from '../oms-ems/sim/open-sink.js';
import { addDays, createRandom } from '../oms-ems/sim/random.js';
import { createLogger, type Logger } from '../lib/log.js';

const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  strict: false,
  allowPositionals: true,
  options: {
    rates: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, 'interval-ms': { type: 'string' },
    'flush-ms': { type: 'string' }, 'batch-ms': { type: 'string' }, mix: { type: 'string' }, 'trades-per-day': { type: 'string' },
    seed: { type: 'string' }, 'tail-max': { type: 'string' }, keep: { type: 'boolean' }, log: { type: 'string' },
  },
});
const num = (name: string, fallback: number): number => {
  const v = opts[name];
  if (v === undefined || typeof v !== 'string') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
  return n;
};
const rates = typeof opts.rates === 'string' ? opts.rates.split(',').map(Number) : [1_000, 5_000];
const durationS = num('duration', 20);
const warmupS = num('warmup', 5);
const intervalMs = num('interval-ms', 250);
const flushMs = num('flush-ms', 200);
const batchMs = num('batch-ms', 50);
const tradesPerDay = num('trades-per-day', 500);
const seed = num('seed', 42);
const tailMaxS = num('tail-max', 30);
const mix = opts.mix === 'new' ? 'new' : 'amend';
if (opts.mix !== undefined && opts.mix !== 'new' && opts.mix !== 'amend') throw new Error('--mix: amend or new');
const logger = createLogger({ level: typeof opts.log === 'string' ? opts.log : 'warn' });
const targetP95Ms = 5_000;
const topic = 'treasury.deals';

type Deal = Record<string, unknown> & { deal_id: string; version: number };

interface Landing { start: number; end: number; rows: number; watermarks: Record<number, number> }
interface SilverRun { start: number; end: number; published: boolean; version: number | null; newDeals: number; workedDeals: number; highWaterMarks: Record<number, number> }
interface GoldRun { start: number; end: number; published: boolean; newestMs: number | null; silverVersion: number; exposuresMs: number; publishMs: number }
interface Statement { at: number; ms: number; sql: string }

/** An in-memory pino destination: silver's per-statement timings (it logs them at debug level). */
function statementSink(into: Statement[]): Writable {
  return {
    write(line: string) {
      if (!line.includes('"silver statement"')) return true;
      const o = JSON.parse(line) as { ms: number; sql: string };
      into.push({ at: Date.now(), ms: o.ms, sql: o.sql });
      return true;
    },
  } as unknown as Writable;
}

const quantile = (sorted: number[], q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const fmtS = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const fmtMs = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${Math.round(ms)} ms`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The index of the first element of a non-decreasing array that is >= x, or -1. */
function firstAtLeast(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo < sorted.length ? lo : -1;
}
/** Running maximum, so that "first publish whose value >= x" is a binary search. */
const prefixMax = (xs: number[]): number[] => {
  let m = -Infinity;
  return xs.map((x) => (m = Math.max(m, x)));
};

function partitionsOf(watermarks: Record<string, string> | undefined, bus: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (let p = 0; p < 16; p++) {
    const wm = watermarks?.[busPositionKey(bus, topic, p)];
    if (wm !== undefined) out[p] = Number(wm);
  }
  return out;
}

async function runRate(rate: number): Promise<{ rate: number; p95: number; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stream-'));
  const store = new LocalObjectStore({ root: join(dir, 'lake') });
  const eventLogDir = join(dir, 'eventlog');
  const businessDate = new Date().toISOString().slice(0, 10);
  const simDay = addDays(businessDate, -1);
  const loadBefore = load();

  // 1. Set-up: a simulated day, ingested, silver and gold built once. The treasury deals it sends are kept: the
  // stream amends the live deposits among them.
  const setupStarted = Date.now();
  const deals = new Map<string, Deal>();
  const sink = await openSimSink({ spec: 'eventlog', eventLogDir, partitions: 3, logger });
  const write = sink.write.bind(sink);
  sink.write = async (events) => {
    for (const e of events) if (e.topic === topic && typeof e.value === 'object') deals.set(String(e.key), e.value as Deal);
    await write(events);
  };
  const sim = await simulate({ seed, tradesPerDay, days: 1, startDate: simDay, sink, badShare: 0, logger });
  await sink.close();
  const simEvents = Object.values(sim.events).reduce((a, b) => a + b, 0);
  const bus = new EventLog({ dir: eventLogDir, logger });
  const writer = await BronzeWriter.open({ store, logger });
  await ingestBus({ bus, writer, logger, flushIntervalMs: flushMs });
  const silver0 = await buildSilver({ store, businessDate, logger });
  const gold0 = await buildGold({ store, businessDate, logger });
  const live = [...deals.values()].filter((d) => d.action !== 'CANCEL' && d.deal_type === 'DEPOSIT' && String(d.start_date) <= businessDate
    && (d.maturity_date === null || String(d.maturity_date) > businessDate));
  if (live.length === 0) throw new Error('the simulated day left no live deposits to amend');
  const quarantined0 = silver0.counts[topic]?.quarantined ?? 0;

  // Events: partitions are chosen here (by deal), so each event's offset is known.
  const producer = await bus.producer();
  const partitionCount = (await bus.partitionCount(topic)) ?? 3;
  const nextOffset = new Map((await bus.endOffsets([topic])).map((p) => [p.partition, Number(p.offset)]));
  const rand = createRandom(seed ^ 0x57e4);
  const versions = new Map(live.map((d) => [d.deal_id, d.version]));
  let newDeals = 0;
  const events = (count: number, ts: number): { records: ProduceRecord[]; offsets: [partition: number, offset: number][] } => {
    const records: ProduceRecord[] = [];
    const offsets: [number, number][] = [];
    const eventTime = new Date(ts).toISOString();
    for (let i = 0; i < count; i++) {
      let deal: Deal;
      let index: number;
      if (mix === 'amend') {
        index = rand.int(0, live.length - 1);
        const base = live[index];
        const version = versions.get(base.deal_id)! + 1;
        versions.set(base.deal_id, version);
        deal = { ...base, event_id: `bench:${base.deal_id}:${version}`, event_time: eventTime, version, action: 'AMEND', principal: Math.round(Number(base.principal) * (0.9 + rand.next() * 0.2)), trade_date: businessDate };
      } else {
        index = newDeals++;
        const base = live[rand.int(0, live.length - 1)];
        const id = `BNCH-${String(base.legal_entity)}-${String(index).padStart(8, '0')}`;
        deal = { ...base, deal_id: id, event_id: `bench:${id}:1`, event_time: eventTime, version: 1, action: 'NEW', principal: Math.round(Number(base.principal) * (0.5 + rand.next())), start_date: businessDate, trade_date: businessDate };
      }
      const partition = index % partitionCount;
      records.push({ topic, key: deal.deal_id, value: deal, partition, timestamp: ts });
      const offset = nextOffset.get(partition) ?? 0;
      offsets.push([partition, offset]);
      nextOffset.set(partition, offset + 1);
    }
    return { records, offsets };
  };

  // The fixed cost of a cycle on this lake: a few events, landed, then silver and gold, three times.
  const probe: { silver: number; gold: number }[] = [];
  for (let round = 0; round < 3; round++) {
    await producer.send(events(10, Date.now()).records);
    await ingestBus({ bus, writer, logger, flushIntervalMs: flushMs });
    const s0 = Date.now();
    const s = await buildSilver({ store, businessDate, logger });
    const g0 = Date.now();
    const g = await buildGold({ store, businessDate, logger });
    if (!s.published || !g.published) throw new Error('the fixed-cost probe published nothing');
    probe.push({ silver: g0 - s0, gold: Date.now() - g0 });
  }
  // And a backlog of 2 s of events at the rate, built alone (no ingest or producer running): the per-record cost.
  const backlog = Math.round(rate * 2);
  await producer.send(events(backlog, Date.now()).records);
  await ingestBus({ bus, writer, logger, flushIntervalMs: flushMs });
  const b0 = Date.now();
  await buildSilver({ store, businessDate, logger });
  const b1 = Date.now();
  await buildGold({ store, businessDate, logger });
  const backlogMs = { silver: b1 - b0, gold: Date.now() - b1 };
  const setupS = (Date.now() - setupStarted) / 1000;
  console.log(`\n-- ${rate.toLocaleString('en')} events/s (${mix === 'amend' ? `AMENDs of ${live.length} live deposits` : 'NEW deposits'}), load average before: ${loadBefore}`);
  console.log(`set-up (not timed, ${setupS.toFixed(1)} s): simulated ${simDay} (${tradesPerDay} trades, ${simEvents} events); silver v${silver0.version} (${silver0.seconds.toFixed(1)} s full build), gold v${gold0.version} for ${businessDate}: ${gold0.run.exposures} exposures (${gold0.seconds.toFixed(1)} s)`);
  const fixed = { silver: median(probe.map((p) => p.silver)), gold: median(probe.map((p) => p.gold)) };
  const perRecordUs = ((backlogMs.silver + backlogMs.gold - fixed.silver - fixed.gold) * 1000) / backlog;
  const load1 = (perRecordUs * rate) / 1e6;
  // A cycle works on what arrived during the one before: T = F + c x rate x T, so T = F / (1 - c x rate); an event
  // waits on average for half a cycle under way, then its own: freshness ~ to-bronze + 1.5 T (p95 ~ 2 T).
  const fixedCycle = fixed.silver + fixed.gold + intervalMs / 2;
  console.log(`fixed cost of a cycle on this lake (10 events, median of 3): silver ${fmtMs(fixed.silver)} + gold ${fmtMs(fixed.gold)}`);
  console.log(`a backlog of ${backlog.toLocaleString('en')} events built alone: silver ${fmtMs(backlogMs.silver)} + gold ${fmtMs(backlogMs.gold)}: ${perRecordUs.toFixed(0)} us an event above the fixed cost, so at ${rate.toLocaleString('en')}/s the builds need ${(load1 * 100).toFixed(0)}% of the wall time for the events alone; `
    + (load1 < 1 ? `steady cycle ~ ${fmtS(fixedCycle / (1 - load1))}, p95 freshness ~ ${fmtS(300 + (2 * fixedCycle) / (1 - load1))} (model)` : 'the builds cannot keep up (model)'));

  // 2. The stream pipeline, with every landing and build timed.
  const landings: Landing[] = [];
  const silverRuns: SilverRun[] = [];
  const goldRuns: GoldRun[] = [];
  const statements: Statement[] = [];
  const silverLogger: Logger = createLogger({ level: 'debug', destination: statementSink(statements) });
  const landEncoded = writer.landEncoded.bind(writer);
  writer.landEncoded = async (encoded, origin) => {
    const start = Date.now();
    const watermarks = partitionsOf(encoded.watermarks, 'eventlog');
    const rows = encoded.encoder.rows;
    const result = await landEncoded(encoded, origin);
    if (result.landed > 0) landings.push({ start, end: Date.now(), rows, watermarks });
    return result;
  };
  const build: LayerBuild = async (layer, { businessDate: date }) => {
    const start = Date.now();
    if (layer === 'silver') {
      const r: SilverBuildResult = await withRunLog(store, { layer, trigger: 'stream', businessDate: date, logger },
        () => buildSilver({ store, businessDate: date, logger: silverLogger }), silverRunOutcome(store));
      const end = Date.now();
      const manifest = r.published ? (await silverLog(store).latest())?.manifest : undefined;
      silverRuns.push({ start, end, published: r.published, version: r.version, newDeals: Number(r.run.newRecords[topic] ?? 0), workedDeals: Number(r.run.counts[topic]?.records ?? 0), highWaterMarks: partitionsOf(manifest?.highWaterMarks, 'eventlog') });
      return { published: r.published, result: r };
    }
    let end = 0;
    const r: GoldBuildResult = await withRunLog(store, { layer, trigger: 'stream', businessDate: date, logger }, async () => {
      const built = await buildGold({ store, businessDate: date, logger });
      end = Date.now(); // the gold version is committed: the dashboard can see it from here
      return built;
    }, goldRunOutcome);
    const publishMs = r.published ? r.run.seconds * 1000 : NaN;
    goldRuns.push({
      start, end, published: r.published, newestMs: r.run.newestEventAt ? Date.parse(r.run.newestEventAt) : null, silverVersion: r.run.silverVersion,
      exposuresMs: r.seconds * 1000 - (Number.isNaN(publishMs) ? 0 : publishMs), publishMs,
    });
    return { published: r.published, result: r };
  };
  const abort = new AbortController();
  const stream = runStream({
    store, logger, signal: abort.signal, intervalMs, businessDate,
    ingest: () => ingestBus({ bus, writer, stream: true, flushIntervalMs: flushMs, signal: abort.signal, logger }),
    build,
  });

  // 3. Produce at a steady rate.
  const evTs: number[] = [];
  const evPartition: number[] = [];
  const evOffset: number[] = [];
  const t0 = Date.now();
  const windowFrom = t0 + warmupS * 1000;
  const windowTo = windowFrom + durationS * 1000;
  let sent = 0;
  let sendMs = 0;
  let maxLagEvents = 0;
  let cpuFrom: { usage: NodeJS.CpuUsage; elu: ReturnType<typeof performance.eventLoopUtilization> } | null = null;
  let cpuWindow: { cores: number; mainThread: number } | null = null;
  const covered = () => {
    const last = goldRuns.filter((g) => g.published).at(-1);
    return last !== undefined && last.newestMs !== null && last.newestMs >= windowTo - 1 && silverCoversAll(last.silverVersion);
  };
  const silverCoversAll = (version: number) => {
    const s = silverRuns.find((x) => x.version === version && x.published);
    if (s === undefined) return false;
    const lastInWindow = evTs.length === 0 ? -1 : firstAtLeast(evTs, windowTo) - 1;
    const upTo = lastInWindow < 0 ? evTs.length - 1 : lastInWindow;
    for (let p = 0; p < partitionCount; p++) {
      let need = -1;
      for (let i = upTo; i >= 0; i--) if (evPartition[i] === p) { need = evOffset[i]; break; }
      if (need >= 0 && (s.highWaterMarks[p] ?? -1) < need) return false;
    }
    return true;
  };
  for (;;) {
    const now = Date.now();
    if (now >= windowTo && (covered() || now >= windowTo + tailMaxS * 1000)) break;
    if (cpuFrom === null && now >= windowFrom) cpuFrom = { usage: process.cpuUsage(), elu: performance.eventLoopUtilization() };
    if (cpuFrom !== null && cpuWindow === null && now >= windowTo) {
      const used = process.cpuUsage(cpuFrom.usage);
      cpuWindow = { cores: (used.user + used.system) / 1000 / (now - windowFrom), mainThread: performance.eventLoopUtilization(cpuFrom.elu).utilization };
    }
    const due = Math.floor(((now - t0) / 1000) * rate) - sent;
    maxLagEvents = Math.max(maxLagEvents, due);
    if (due > 0) {
      const ts = Date.now();
      const { records, offsets } = events(due, ts);
      for (const [partition, offset] of offsets) {
        evTs.push(ts);
        evPartition.push(partition);
        evOffset.push(offset);
      }
      const s0 = performance.now();
      await producer.send(records);
      sendMs += performance.now() - s0;
      sent += due;
    }
    await sleep(batchMs - (Date.now() - now));
  }
  const producedS = (Date.now() - t0) / 1000;
  abort.abort();
  await stream;
  await producer.close();
  writer.close();
  await bus.close();
  const quarantinedAfter = (await silverLog(store).latest())?.manifest.counts[topic]?.quarantined ?? quarantined0;
  await store.close();
  const loadAfter = load();

  // 4. Freshness per event of the window.
  const pubs = goldRuns.filter((g) => g.published && g.newestMs !== null);
  const pubNewest = prefixMax(pubs.map((g) => g.newestMs!));
  const silverOf = new Map(silverRuns.filter((s) => s.published).map((s) => [s.version, s]));
  const pubWm: number[][] = Array.from({ length: partitionCount }, (_, p) => prefixMax(pubs.map((g) => silverOf.get(g.silverVersion)?.highWaterMarks[p] ?? -1)));
  const landWm: number[][] = Array.from({ length: partitionCount }, (_, p) => prefixMax(landings.map((l) => l.watermarks[p] ?? -1)));
  const fresh: number[] = [];
  const exact: number[] = [];
  const toBronze: number[] = [];
  const toCycle: number[] = [];
  const inSilver: number[] = [];
  const inGold: number[] = [];
  let uncovered = 0;
  let measured = 0;
  for (let i = firstAtLeast(evTs, windowFrom); i >= 0 && i < evTs.length && evTs[i] < windowTo; i++) {
    measured++;
    const j = firstAtLeast(pubNewest, evTs[i]);
    if (j < 0) {
      uncovered++;
      continue;
    }
    fresh.push(pubs[j].end - evTs[i]);
    const k = firstAtLeast(pubWm[evPartition[i]], evOffset[i]);
    if (k < 0) continue;
    const g = pubs[k];
    exact.push(g.end - evTs[i]);
    const s = silverOf.get(g.silverVersion)!;
    const l = firstAtLeast(landWm[evPartition[i]], evOffset[i]);
    const landed = l < 0 ? s.start : landings[l].end;
    toBronze.push(landed - evTs[i]);
    toCycle.push(s.start - landed);
    inSilver.push(s.end - s.start);
    inGold.push(g.end - s.end);
  }
  const sorted = [...fresh].sort((a, b) => a - b);
  const sortedExact = [...exact].sort((a, b) => a - b);
  const p50 = quantile(sorted, 0.5);
  const p95 = quantile(sorted, 0.95);
  const inWindow = <T extends { start: number }>(xs: T[]) => xs.filter((x) => x.start >= windowFrom && x.start < windowTo);
  const wSilver = inWindow(silverRuns).filter((s) => s.published);
  const wGold = inWindow(goldRuns).filter((g) => g.published);
  const wLand = inWindow(landings);
  const cycles = wSilver.map((s) => ({ s, g: goldRuns.find((g) => g.silverVersion === s.version && g.start >= s.end) })).filter((c) => c.g !== undefined);

  console.log(`load average after: ${loadAfter}; produced ${sent.toLocaleString('en')} events in ${producedS.toFixed(1)} s (warm-up ${warmupS} s, window ${durationS} s, tail until covered); send (fsync) ${fmtMs(sendMs / Math.max(1, Math.ceil(producedS * 1000 / batchMs)))} a batch; producer at most ${maxLagEvents} events behind`);
  console.log(`events/s achieved in the window: ${Math.round(measured / durationS).toLocaleString('en')} (target rate ${rate.toLocaleString('en')}); measured events ${measured.toLocaleString('en')}, covered by a publish ${fresh.length.toLocaleString('en')}, uncovered (left out) ${uncovered}`);
  console.log(`this process over the window: ${cpuWindow === null ? 'n/a' : `${cpuWindow.cores.toFixed(2)} cores of CPU (of ${availableParallelism()}), main thread busy ${Math.round(cpuWindow.mainThread * 100)}%`}`);
  console.log(`gold publishes in the window: ${wGold.length} (${(wGold.length / durationS).toFixed(2)}/s); silver quarantine of ${topic}: ${quarantined0} -> ${quarantinedAfter}`);
  console.log(`freshness (event time -> gold publish, by run.newestEventAt): p50 ${fmtS(p50)}  p95 ${fmtS(p95)}  max ${fmtS(sorted.at(-1) ?? NaN)}  (n=${sorted.length})`);
  console.log(`  cross-check, exact (silver's bronze high-water mark covers the event's offset): p50 ${fmtS(quantile(sortedExact, 0.5))}  p95 ${fmtS(quantile(sortedExact, 0.95))}  max ${fmtS(sortedExact.at(-1) ?? NaN)}`);
  console.log(`  an event's wait, medians (p95): to bronze ${fmtMs(median(toBronze))} (${fmtMs(quantile([...toBronze].sort((a, b) => a - b), 0.95))}), bronze -> its cycle starts ${fmtMs(median(toCycle))} (${fmtMs(quantile([...toCycle].sort((a, b) => a - b), 0.95))}), silver ${fmtMs(median(inSilver))}, gold ${fmtMs(median(inGold))}`);
  console.log(`cycle (silver start -> gold published), medians over the window: ${fmtMs(median(cycles.map((c) => c.g!.end - c.s.start)))} = silver ${fmtMs(median(wSilver.map((s) => s.end - s.start)))} + gold ${fmtMs(median(cycles.map((c) => c.g!.end - c.g!.start)))} (exposures+newest ${fmtMs(median(wGold.map((g) => g.exposuresMs)))}, publish ${fmtMs(median(wGold.map((g) => g.publishMs)))}) + locks/run log ${fmtMs(median(cycles.map((c) => c.g!.start - c.s.end)))}`);
  console.log(`  silver first/last cycle of the window: ${fmtMs(wSilver.length ? wSilver[0].end - wSilver[0].start : NaN)} / ${fmtMs(wSilver.length ? wSilver.at(-1)!.end - wSilver.at(-1)!.start : NaN)}; deal records per build (median): ${median(wSilver.map((s) => s.newDeals))} new, ${median(wSilver.map((s) => s.workedDeals))} worked on (the new ones and those held of the keys they touch)`);
  console.log(`ingest landings in the window: ${wLand.length}, median ${fmtMs(median(wLand.map((l) => l.end - l.start)))} for ${median(wLand.map((l) => l.rows))} rows`);
  // Silver's time by statement, over the window's builds (the statements' text as silver logs it, cut at 120 chars).
  const wStatements = statements.filter((s) => wSilver.some((b) => s.at >= b.start && s.at <= b.end));
  const bySql = new Map<string, { ms: number; n: number }>();
  for (const s of wStatements) {
    const key = s.sql.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 90);
    const e = bySql.get(key) ?? { ms: 0, n: 0 };
    e.ms += s.ms;
    e.n += 1;
    bySql.set(key, e);
  }
  const silverTotal = wSilver.reduce((a, s) => a + s.end - s.start, 0);
  const stmtTotal = wStatements.reduce((a, s) => a + s.ms, 0);
  const builds = Math.max(1, wSilver.length);
  console.log(`silver's time in the window: ${fmtMs(silverTotal / builds)} a build (${wSilver.length} builds), ${fmtMs(stmtTotal / builds)} of it in ${(wStatements.length / builds).toFixed(0)} SQL statements; the slowest, ms a build (statements a build):`);
  for (const [sql, e] of [...bySql].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) console.log(`  ${String(Math.round(e.ms / builds)).padStart(6)} ms (${(e.n / builds).toFixed(0).padStart(2)})  ${sql}`);
  const ok = rate < 5_000 || p95 < targetP95Ms;
  if (rate >= 5_000) console.log(`target (p95 < 5 s at 5,000/s): ${p95 < targetP95Ms ? 'met' : 'MISSED'} (p95 ${fmtS(p95)})`);
  if (opts.keep) console.log(`lake kept: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return { rate, p95, ok };
}

console.log(`stream freshness: ${cpus()[0]?.model ?? 'cpu'} x ${availableParallelism()}, node ${process.version}; interval ${intervalMs} ms, ingest flush ${flushMs} ms, a batch every ${batchMs} ms, mix ${mix}`);
const results = [];
for (const rate of rates) results.push(await runRate(rate));
console.log(`\nsummary: ${results.map((r) => `${r.rate.toLocaleString('en')}/s p95 ${fmtS(r.p95)}`).join(', ')}`);
process.exit(0);
