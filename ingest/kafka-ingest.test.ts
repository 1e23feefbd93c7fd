/**
 * Kafka -> bronze exactly once, against librdkafka's mock cluster (a real Kafka wire-protocol broker process),
 * with the ingest run as the real `lakehouse` command and killed with SIGKILL at random moments.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startKafkaMock, type KafkaMock } from '../test/kafka-mock.js';
import { collect, runCli, spawnCli, type CliResult } from '../test/cli.js';
import { KafkaBus } from '../bus/kafka-bus.js';
import type { ProduceRecord } from '../bus/event-bus.js';
import { mulberry32 } from '../oms-ems/sample-trades.js';

const groupTiming = ['--session-timeout-ms', '3000', '--heartbeat-interval-ms', '300'];

async function produce(brokers: string[], topic: string, count: number, startAt = 0): Promise<void> {
  const bus = new KafkaBus({ brokers });
  const producer = await bus.producer();
  try {
    for (let from = startAt; from < startAt + count; from += 5_000) {
      const records: ProduceRecord[] = [];
      for (let i = from; i < Math.min(from + 5_000, startAt + count); i++) {
        records.push({ topic, key: `T${i}`, value: `{"trade_id":"T${i}","version":1,"quantity":1000,"price":100.25,"currency":"USD"}`, timestamp: 1772443800000 + i });
      }
      await producer.send(records);
    }
  } finally {
    await producer.close();
    await bus.close();
  }
}

async function bronzeStats(lake: string): Promise<{ n: string; distinct_positions: string; keys: string }> {
  const r = await runCli(['sql', `SELECT count(*) AS n, count(DISTINCT ("partition", "offset")) AS distinct_positions, count(DISTINCT "key") AS keys FROM bronze.records`, '--lake', lake, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { n: string; distinct_positions: string; keys: string }[])[0];
}

async function partitionsComplete(lake: string): Promise<unknown[]> {
  // Every partition holds offsets 0..n-1 with none missing: count = max + 1 and min = 0.
  const r = await runCli(['sql', 'SELECT "partition", count(*) = max("offset") + 1 AND min("offset") = 0 AS complete FROM bronze.records GROUP BY 1 ORDER BY 1', '--lake', lake, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { complete: boolean }[]).filter((p) => !p.complete);
}

/** Resolves after the child has logged `n` bronze commits (it runs with LOG_LEVEL=debug). */
function afterCommits(child: ChildProcess, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString().split('bronze batch committed').length - 1;
      if (seen >= n) resolve();
    });
  });
}

describe('ingest --source kafka', () => {
  let mock: KafkaMock;

  beforeAll(async () => {
    mock = await startKafkaMock({ binary: inject('kafkaMockBinary'), topics: { trades: 12, positions: 8, 'treasury.deals': 2 } });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('lands 200,000 records exactly once although the ingest is killed with SIGKILL again and again', async () => {
    await produce(mock.brokers, 'trades', 200_000);
    const lake = join(mkdtempSync(join(tmpdir(), 'kill9-')), 'lake');
    const rand = mulberry32(7);
    const args = ['ingest', '--source', 'kafka', '--brokers', mock.brokers.join(','), '--topics', 'trades', '--lake', lake,
      '--max-batch-rows', '4000', '--flush-interval-ms', '200', '--group', 'kill9', ...groupTiming];
    let kills = 0;
    let last: CliResult | undefined;
    for (let run = 0; run < 30; run++) {
      // Half the runs also die by failpoint right after a bronze commit (offsets not yet committed: the batch is
      // replayed and must be skipped) or right after an upload (files written, never committed: must stay invisible).
      const failpoints = kills < 6 && run % 2 === 1 ? 'bronze.after-commit:0.3,bronze.after-upload:0.2' : '';
      const child = spawnCli(args, { env: { LOG_LEVEL: 'debug', LAKEHOUSE_FAILPOINTS: failpoints } });
      const done = collect(child);
      if (kills < 6) {
        // Kill mid-work: after 1-5 committed batches plus a random delay, i.e. anywhere in the land/commit cycle.
        void afterCommits(child, 1 + Math.floor(rand() * 5)).then(() => setTimeout(() => child.kill('SIGKILL'), Math.floor(rand() * 300)));
      }
      last = await done;
      if (last.code === 0) break;
      expect(last.signal, last.stderr.slice(-2000)).toBe('SIGKILL');
      kills += 1;
    }
    expect(last?.code).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(await bronzeStats(lake)).toEqual({ n: '200000', distinct_positions: '200000', keys: '200000' });
    expect(await partitionsComplete(lake)).toEqual([]);
  });

  it('loses and duplicates nothing when one of two ingest processes in a group is stopped mid-run', async () => {
    await produce(mock.brokers, 'positions', 60_000);
    const lake = join(mkdtempSync(join(tmpdir(), 'group-')), 'lake');
    const args = ['ingest', '--source', 'kafka', '--brokers', mock.brokers.join(','), '--topics', 'positions', '--lake', lake,
      '--max-batch-rows', '2000', '--flush-interval-ms', '200', '--group', 'pair', ...groupTiming];
    // The first member dies right after a bronze commit whose offsets it never commits (failpoint), or is
    // killed after its second commit: either way its partitions move to the second member mid-run.
    const first = spawnCli(args, { env: { LOG_LEVEL: 'debug', LAKEHOUSE_FAILPOINTS: 'bronze.after-commit:0.4' } });
    const second = spawnCli(args, { env: { LOG_LEVEL: 'debug' } });
    const [firstDone, secondDone] = [collect(first), collect(second)];
    await Promise.race([afterCommits(first, 2), firstDone]);
    first.kill('SIGKILL');
    const a = await firstDone;
    const b = await secondDone;
    expect(a.signal).toBe('SIGKILL');
    expect(b.code, b.stderr.slice(-2000)).toBe(0);
    expect(await bronzeStats(lake)).toEqual({ n: '60000', distinct_positions: '60000', keys: '60000' });
    expect(await partitionsComplete(lake)).toEqual([]);
  });

  it('stops at once when the group has already caught up, landing nothing', async () => {
    await produce(mock.brokers, 'treasury.deals', 100);
    const lake = join(mkdtempSync(join(tmpdir(), 'caught-')), 'lake');
    const args = ['ingest', '--source', 'kafka', '--brokers', mock.brokers.join(','), '--topics', 'treasury.deals', '--lake', lake, '--group', 'again', '--format', 'json', ...groupTiming];
    const one = await runCli(args);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ records: 100, landed: 100, dead_lettered: 0, already_landed: 0 });
    const two = await runCli(args);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ records: 0, landed: 0 });
  });

  it('exits 2 naming the topic when a requested topic does not exist', async () => {
    const r = await runCli(['ingest', '--source', 'kafka', '--brokers', mock.brokers.join(','), '--topics', 'nope', '--lake', join(tmpdir(), 'unused-lake')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('topics not found');
    expect(r.stderr).toContain('nope');
  });
});
