/**
 * The embedded log's consumer: the only member of its group (a pid lock file), reading every partition of its
 * topics from the committed position, round-robin, one batch per partition per turn.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import type { Logger } from '../lib/log.js';
import { TerminalError, TransientError } from '../lib/errors.js';
import type { Consumer, ConsumerOptions, RecordBatch, TopicPartition, TopicPartitionOffset } from './event-bus.js';
import { acquirePidLock, describeHolder, type PidLock } from './file-lock.js';
import { groupFileBase, readGroupOffsets, writeGroupOffsets, type TopicPartitionPosition } from './event-log-groups.js';
import { seekLine } from './event-log-partition.js';
import { PartitionCursor } from './event-log-cursor.js';

export interface EventLogContext {
  groupsDir: string;
  log: Logger;
  pollIntervalMs: number;
  maxLineBytes: number;
  partitionCount(topic: string): Promise<number | null>;
  partitionPath(topic: string, partition: number): string;
  endPosition(topic: string, partition: number): Promise<{ offset: number; byte: number }>;
}

export class EventLogConsumer implements Consumer {
  private cursors: PartitionCursor[] = [];
  private running = false;
  private stopping = false;
  private wake: (() => void) | null = null;
  private done: Promise<void> = Promise.resolve();
  private commits: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly ctx: EventLogContext, private readonly options: ConsumerOptions) {
    this.log = ctx.log.child({ groupId: options.groupId });
  }

  run(onBatch: (batch: RecordBatch) => Promise<void>): Promise<void> {
    if (this.running) return Promise.reject(new TerminalError('this consumer is already running', { groupId: this.options.groupId }));
    if (this.stopping) return Promise.resolve();
    this.running = true;
    const done = this.consume(onBatch).finally(() => { this.running = false; });
    this.done = done.catch(() => {});
    return done;
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    const updates: TopicPartitionPosition[] = [];
    for (const o of offsets) {
      const cursor = this.running ? this.cursors.find((c) => c.topic === o.topic && c.partition === o.partition) : undefined;
      if (!cursor) throw new TransientError(`partition ${o.topic}/${o.partition} is not assigned to this member`, { ...o, groupId: this.options.groupId });
      if (!/^\d+$/.test(o.offset)) throw new TerminalError(`invalid offset ${JSON.stringify(o.offset)}`, { ...o });
      updates.push({ topic: o.topic, partition: o.partition, offset: o.offset, byte: cursor.byteOf(Number(o.offset)) });
    }
    if (updates.length === 0) return;
    // Serialized: each write merges into the file the previous one left.
    const write = this.commits.then(() => writeGroupOffsets(this.ctx.groupsDir, this.options.groupId, updates));
    this.commits = write.catch(() => {});
    await write;
  }

  assignment(): TopicPartition[] {
    return this.running ? this.cursors.map((c) => ({ topic: c.topic, partition: c.partition })) : [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }

  private async consume(onBatch: (batch: RecordBatch) => Promise<void>): Promise<void> {
    const { groupId } = this.options;
    await mkdir(this.ctx.groupsDir, { recursive: true });
    const lockResult = await acquirePidLock(`${groupFileBase(this.ctx.groupsDir, groupId)}.lock`, `consumer group ${groupId}`);
    if (!lockResult.ok) {
      throw new TerminalError(
        `consumer group ${groupId} already has a member: ${describeHolder(lockResult.holder)}; the embedded event log allows one member per group`,
        { groupId, holderPid: lockResult.holder.pid },
      );
    }
    const lock: PidLock = lockResult.lock;
    try {
      this.cursors = await this.openCursors();
      for (const c of this.cursors) this.log.info({ topic: c.topic, partition: c.partition, offset: c.nextOffset }, 'partition assigned');
      await this.loop(onBatch);
    } finally {
      await Promise.all(this.cursors.map((c) => c.close()));
      await this.commits;
      await lock.release();
    }
  }

  private async openCursors(): Promise<PartitionCursor[]> {
    const { groupId, topics, fromBeginning = true, maxBatchRecords = 10_000 } = this.options;
    const committed = await readGroupOffsets(this.ctx.groupsDir, groupId);
    const cursors: PartitionCursor[] = [];
    for (const topic of topics) {
      const count = await this.ctx.partitionCount(topic);
      if (count === null) throw new TerminalError(`topic ${topic} does not exist`, { topic, groupId });
      for (let partition = 0; partition < count; partition++) {
        const path = this.ctx.partitionPath(topic, partition);
        const saved = committed[topic]?.[String(partition)];
        let start: { offset: number; byte: number };
        if (saved) {
          const offset = Number(saved.offset);
          start = saved.byte !== null && (await isLineStart(path, saved.byte)) ? { offset, byte: saved.byte } : await seekLine(path, offset);
          if (start.offset !== offset) this.log.warn({ topic, partition, committed: offset, end: start.offset }, 'committed offset is past the end of the partition');
        } else {
          start = fromBeginning ? { offset: 0, byte: 0 } : await this.ctx.endPosition(topic, partition);
        }
        cursors.push(new PartitionCursor({ topic, partition, path, start, maxBatchRecords, maxLineBytes: this.ctx.maxLineBytes }));
      }
    }
    return cursors;
  }

  private async loop(onBatch: (batch: RecordBatch) => Promise<void>): Promise<void> {
    let next = 0;
    while (!this.stopping) {
      let delivered = false;
      for (let i = 0; i < this.cursors.length && !this.stopping; i++) {
        const cursor = this.cursors[(next + i) % this.cursors.length];
        const batch = await cursor.read();
        if (!batch) continue;
        await onBatch(batch);
        cursor.taken(batch);
        next = (next + i + 1) % this.cursors.length;
        delivered = true;
        break;
      }
      if (!delivered && !this.stopping) await this.sleep(this.ctx.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
    });
  }
}

/** A committed byte position is trusted only if it still starts a line (the file may have been edited). */
async function isLineStart(path: string, byte: number): Promise<boolean> {
  if (byte === 0) return true;
  try {
    if ((await stat(path)).size < byte) return false;
    const file = await open(path, 'r');
    try {
      const b = Buffer.alloc(1);
      await file.read(b, 0, 1, byte - 1);
      return b[0] === 10;
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}
