/** A local lake in a temp dir, fed from record files through the real file ingest, then built by silver. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BronzeWriter } from '../../bronze/bronze-writer.js';
import { formatRecordLine } from '../../bus/record-file.js';
import { ingestFile } from '../../ingest/file-ingest.js';
import { openCatalog } from '../../sql/catalog.js';
import { LocalObjectStore } from '../../store/local-store.js';
import { RecordFileSink } from '../../oms-ems/sim/event-sink.js';
import { simulate, type SimulationSummary } from '../../oms-ems/sim/simulator.js';
import { buildSilver, type SilverBuildOptions } from '../build-silver.js';

export interface TradeRecord {
  /** Default `trades`. */
  topic?: string;
  value: Record<string, unknown> | string;
  /** ISO-8601 record timestamp: when the record arrived. */
  at: string;
  key?: string;
}

export const baseTrade = {
  trade_id: 'T1', version: 1, counterparty_id: 'CP1', book_id: 'B1', legal_entity: 'BANK_A', instrument_id: 'US912828ZT05',
  asset_class: 'GOVT_BOND', side: 'BUY', quantity: 1000, price: 99.5, currency: 'USD', trade_date: '2026-03-02',
  settlement_date: '2026-03-04', maturity_date: '2030-05-15', created_date: '2026-03-02',
};

/**
 * Records in the order they are landed: by `k` (arrival), but for a share `late` of them, moved to land anywhere later
 * (`rand` gives numbers in [0, 1)).
 */
export function landingOrder<T>(records: { r: T; k: number }[], late: number, rand: () => number): T[] {
  const last = Math.max(...records.map((o) => o.k));
  for (const o of records) if (rand() < late) o.k += rand() * (last - o.k);
  return records.sort((a, b) => a.k - b.k).map((x) => x.r);
}

export class TestLake {
  private files = 0;
  private constructor(readonly dir: string, readonly store: LocalObjectStore) {}

  static async create(): Promise<TestLake> {
    const dir = await mkdtemp(join(tmpdir(), 'silver-lake-'));
    return new TestLake(dir, new LocalObjectStore({ root: join(dir, 'lake') }));
  }

  /** Lands the records as one record file (its line order is its offset order). */
  async land(records: TradeRecord[]): Promise<void> {
    const path = join(this.dir, `in-${++this.files}.jsonl`);
    const lines = records.map((r) => formatRecordLine({ topic: r.topic ?? 'trades', key: r.key ?? (typeof r.value === 'string' ? null : String(r.value.trade_id)), value: r.value, timestampMs: Date.parse(r.at) }));
    await writeFile(path, `${lines.join('\n')}\n`);
    await this.landFile(path);
  }

  /** Lands a record file through the real file ingest. */
  async landFile(path: string): Promise<void> {
    const writer = await BronzeWriter.open({ store: this.store });
    try {
      await ingestFile({ path, writer });
    } finally {
      writer.close();
    }
  }

  /** Simulated trading days into a record file in the lake's directory (not landed). */
  async simulateFile(options: { seed: number; tradesPerDay: number; days: number; startDate: string }): Promise<{ path: string; summary: SimulationSummary }> {
    const path = join(this.dir, `simulated-${options.seed}.jsonl`);
    const sink = new RecordFileSink(path);
    const summary = await simulate({ ...options, sink });
    await sink.close();
    return { path, summary };
  }

  /** Lands `records` in `batches` slices, in order, with a silver build after each; the builds' results. */
  async landInBatches(records: TradeRecord[], batches: number, options: Omit<SilverBuildOptions, 'store'>) {
    const builds: Awaited<ReturnType<typeof buildSilver>>[] = [];
    for (let i = 0; i < batches; i++) {
      await this.land(records.slice(Math.floor((i * records.length) / batches), Math.floor(((i + 1) * records.length) / batches)));
      builds.push(await this.build(options));
    }
    return builds;
  }

  build(options: Omit<SilverBuildOptions, 'store'>) {
    return buildSilver({ store: this.store, ...options });
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const catalog = await openCatalog({ store: this.store });
    try {
      const reader = await catalog.db.connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      catalog.close();
    }
  }

  async close(): Promise<void> {
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
