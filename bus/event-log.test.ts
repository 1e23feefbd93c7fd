/**
 * The embedded log's own promises: durability across a SIGKILL, torn lines, locks, bad lines.
 * The crash and lock tests run the compiled adapter (dist/) in child processes.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EventLog } from './event-log.js';
import { errorHeader } from './event-log-cursor.js';
import { collect, headerText, text, waitFor } from './test-fixtures/bus-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dirs: string[] = [];
const children: ChildProcess[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eventlog-'));
  dirs.push(dir);
  return dir;
}

/** Child processes run dist/: rebuild it when a bus source is newer than its output (npm's pretest builds it). */
async function ensureDistFresh(): Promise<void> {
  const stale = async (): Promise<boolean> => {
    for (const name of await readdir(here)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const out = await stat(join(root, 'dist', 'bus', name.replace(/\.ts$/, '.js'))).catch(() => null);
      if (!out || out.mtimeMs < (await stat(join(here, name))).mtimeMs) return true;
    }
    return false;
  };
  if (!(await stale())) return;
  // Other modules' type errors do not stop tsc from emitting ours.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root }).catch(() => {});
  if (await stale()) throw new Error('dist/bus is older than bus/*.ts and `npx tsc -p tsconfig.json` did not refresh it');
}

function startChild(script: string, args: string[]): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [join(here, 'test-fixtures', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('exit', (code) => { if (code) lines.push(`exit ${code}: ${stderr}`); });
  return { child, lines };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else { child.once('exit', () => r()); child.kill('SIGKILL'); } });
}

describe('EventLog on its own', () => {
  beforeAll(ensureDistFresh, 120_000);
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killed));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('keeps every acknowledged record after its writer is SIGKILLed, delivers nothing torn, and appends at the right offset', async () => {
    const dir = await tempDir();
    const { child, lines } = startChild('produce-until-killed.mjs', [dir]);
    await waitFor(() => lines.length > 150 || lines.some((l) => l.startsWith('exit')), 'the child to acknowledge 150 sends', 30_000, 10);
    await killed(child);
    expect(lines[0]).toBe('ready');
    const acked = lines.slice(1).flatMap((l) => JSON.parse(l) as number[]);

    const log = new EventLog({ dir, pollIntervalMs: 20 });
    const producer = await log.producer(); // reopening for append cuts any torn tail away
    const ends = await log.endOffsets(['crash']);
    const total = ends.reduce((sum, e) => sum + Number(e.offset), 0);
    expect(total).toBeGreaterThanOrEqual(acked.length);
    const got = await collect(log.consumer({ groupId: 'check', topics: ['crash'] }), (g) => g.length >= total);
    expect(got.filter((r) => r.headers?.[errorHeader] !== undefined)).toEqual([]);
    const seen = new Set(got.map((r) => (JSON.parse(text(r.value)!) as { seq: number }).seq));
    expect(acked.filter((seq) => !seen.has(seq))).toEqual([]);

    await producer.send([{ topic: 'crash', partition: 1, key: 'after', value: { seq: -1 } }]);
    const end1 = ends.find((e) => e.partition === 1)!.offset;
    expect((await log.endOffsets(['crash'])).find((e) => e.partition === 1)!.offset).toBe(String(Number(end1) + 1));
    const after = await collect(log.consumer({ groupId: 'after', topics: ['crash'], fromBeginning: true }), (g) => g.some((r) => text(r.key) === 'after'));
    expect(after.find((r) => text(r.key) === 'after')!.offset).toBe(end1);
    await log.close();
  });

  it('cuts a torn last line away when reopened for append, and never delivers it', async () => {
    const dir = await tempDir();
    const log = new EventLog({ dir, pollIntervalMs: 20 });
    const producer = await log.producer();
    await producer.send([0, 1, 2].map((i) => ({ topic: 'torn', partition: 0, key: `k${i}`, value: `v${i}` })));
    await log.close();
    await appendFile(join(dir, 'topics', 'torn', '0.log'), '{"topic":"torn","key":"half","val');

    const reader = new EventLog({ dir, pollIntervalMs: 20 });
    const before = await collect(reader.consumer({ groupId: 'r1', topics: ['torn'] }), (g) => g.length >= 3);
    await new Promise((r) => setTimeout(r, 200)); // give the reader a chance to (wrongly) deliver the torn line
    expect(before.map((r) => text(r.value))).toEqual(['v0', 'v1', 'v2']);
    expect((await reader.endOffsets(['torn'])).find((e) => e.partition === 0)!.offset).toBe('3');

    const writer = new EventLog({ dir, pollIntervalMs: 20 });
    await (await writer.producer()).send([{ topic: 'torn', partition: 0, key: 'k3', value: 'v3' }]);
    const file = await readFile(join(dir, 'topics', 'torn', '0.log'), 'utf8');
    expect(file.includes('half')).toBe(false);
    const all = await collect(writer.consumer({ groupId: 'r2', topics: ['torn'] }), (g) => g.length >= 4);
    expect(all.map((r) => [r.offset, text(r.value)])).toEqual([['0', 'v0'], ['1', 'v1'], ['2', 'v2'], ['3', 'v3']]);
    await writer.close();
    await reader.close();
  });

  it('delivers a line that is not a valid record with the reason in the x-lakehouse-error header', async () => {
    const dir = await tempDir();
    const log = new EventLog({ dir, pollIntervalMs: 20 });
    const producer = await log.producer();
    await producer.send([{ topic: 'edited', partition: 0, key: 'a', value: 'good' }]);
    await log.close(); // someone edits the file while no writer has it open
    await appendFile(join(dir, 'topics', 'edited', '0.log'), 'not json at all\n{"topic":"edited","key":"b"}\n');
    await appendFile(join(dir, 'topics', 'edited', '0.log'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    await (await log.producer()).send([{ topic: 'edited', partition: 0, key: 'c', value: 'good again' }]);
    const got = await collect(log.consumer({ groupId: 'g', topics: ['edited'] }), (g) => g.length >= 5);
    expect(got.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4']);
    expect(text(got[1].value)).toBe('not json at all');
    expect(headerText(got[1].headers?.[errorHeader])).toMatch(/not JSON/);
    expect(headerText(got[2].headers?.[errorHeader])).toMatch(/missing field: value/);
    expect(got[3].value).toEqual(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(headerText(got[3].headers?.[errorHeader])).toBe('line is not valid UTF-8');
    expect(text(got[4].value)).toBe('good again');
    await log.close();
  });

  it('keeps committed offsets across a reopen and resumes from them', async () => {
    const dir = await tempDir();
    const log = new EventLog({ dir, pollIntervalMs: 20 });
    const producer = await log.producer();
    await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: 'kept', partition: 0, key: null, value: `v${i}` })));
    const consumer = log.consumer({ groupId: 'durable', topics: ['kept'], maxBatchRecords: 4 });
    const first = await collect(consumer, (g) => g.length >= 4);
    expect(first).toHaveLength(4);
    await log.close();

    const again = new EventLog({ dir, pollIntervalMs: 20 });
    const c2 = again.consumer({ groupId: 'durable', topics: ['kept'], maxBatchRecords: 4 });
    const run = c2.run(async (b) => { if (b.records[0].offset === '0') await c2.commit([{ topic: 'kept', partition: 0, offset: '6' }]); });
    await waitFor(async () => (await again.committedOffsets('durable', ['kept'])).length > 0, 'the commit');
    await c2.stop();
    await run;
    await again.close();

    const third = new EventLog({ dir, pollIntervalMs: 20 });
    expect(await third.committedOffsets('durable', ['kept'])).toEqual([{ topic: 'kept', partition: 0, offset: '6' }]);
    const rest = await collect(third.consumer({ groupId: 'durable', topics: ['kept'] }), (g) => g.length >= 4);
    expect(rest.map((r) => text(r.value))).toEqual(['v6', 'v7', 'v8', 'v9']);
    await third.close();
  });

  it('refuses a second writer process, naming the one holding the lock, and takes the lock over once it is dead', async () => {
    const dir = await tempDir();
    const { child, lines } = startChild('hold-writer-lock.mjs', [dir]);
    await waitFor(() => lines.length > 0, 'the child to take the lock');
    expect(lines[0]).toBe('locked');
    const log = new EventLog({ dir });
    await expect(log.producer()).rejects.toThrow(new RegExp(`locked by process ${child.pid} .*one writer process per log directory`));
    await killed(child);
    const producer = await log.producer();
    await producer.send([{ topic: 'mine', key: 'k', value: 'v' }]);

    const second = startChild('hold-writer-lock.mjs', [dir]);
    await waitFor(() => second.lines.length > 0, 'the second child to answer');
    expect(second.lines[0]).toMatch(new RegExp(`^refused: .*locked by process ${process.pid} `));
    await log.close();
  });

  it('refuses a second member of the same consumer group while the first runs', async () => {
    const dir = await tempDir();
    const log = new EventLog({ dir, pollIntervalMs: 20 });
    await log.createTopics([{ topic: 'solo', partitions: 2 }]);
    const first = log.consumer({ groupId: 'solo-group', topics: ['solo'] });
    const run = first.run(async () => {});
    await waitFor(() => first.assignment().length === 2, 'the first member to start');
    await expect(new EventLog({ dir }).consumer({ groupId: 'solo-group', topics: ['solo'] }).run(async () => {}))
      .rejects.toThrow(/consumer group solo-group already has a member: process \d+/);
    await first.stop();
    await run;
    await log.close();
  });

  it('creates a topic with the default partition count on first send and lists it', async () => {
    const dir = await tempDir();
    const log = new EventLog({ dir, defaultPartitions: 5 });
    await (await log.producer()).send([{ topic: 'auto', key: 'x', value: 'y' }]);
    await log.createTopics([{ topic: 'made', partitions: 2 }]);
    expect(await log.listTopics()).toEqual(['auto', 'made']);
    expect((await log.endOffsets(['auto'])).map((e) => e.partition)).toEqual([0, 1, 2, 3, 4]);
    await expect(log.endOffsets(['missing'])).rejects.toThrow(/topic missing does not exist/);
    await expect(log.consumer({ groupId: 'g', topics: ['missing'] }).run(async () => {})).rejects.toThrow(/topic missing does not exist/);
    await log.close();
  });
});
