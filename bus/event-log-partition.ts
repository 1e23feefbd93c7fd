/**
 * One partition file of the embedded log: append-only record-file lines, offset = line number - 1.
 * Appends are serialized; their fsyncs are shared (group commit), so concurrent sends pay for one fsync.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../lib/log.js';
import { fsyncDir } from './atomic-file.js';
import { TransientError } from '../lib/errors.js';

export interface LineCount {
  /** Complete lines (ending in '\n'). */
  lines: number;
  /** Bytes up to and including the last '\n'. */
  validBytes: number;
  fileBytes: number;
}

/** Counts complete lines from a known position (a line start) to the end of the file. */
export async function countLines(file: FileHandle, from: { lines: number; byte: number } = { lines: 0, byte: 0 }): Promise<LineCount> {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let position = from.byte;
  let lines = from.lines;
  let validBytes = from.byte;
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    let nl = chunk.indexOf(10, 0);
    while (nl !== -1 && nl < bytesRead) {
      lines += 1;
      validBytes = position + nl + 1;
      nl = chunk.indexOf(10, nl + 1);
    }
    position += bytesRead;
  }
  return { lines, validBytes, fileBytes: position };
}

/** The byte where line `offset` (0-based) starts, scanning from the beginning; the end if the file is shorter. */
export async function seekLine(path: string, offset: number): Promise<{ byte: number; offset: number }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { byte: 0, offset: 0 };
    throw err;
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let position = 0;
    let line = 0;
    let lineStart = 0;
    while (line < offset) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      let nl = chunk.indexOf(10, 0);
      while (nl !== -1 && nl < bytesRead && line < offset) {
        line += 1;
        lineStart = position + nl + 1;
        nl = chunk.indexOf(10, nl + 1);
      }
      position += bytesRead;
    }
    return { byte: lineStart, offset: line };
  } finally {
    await file.close();
  }
}

export class PartitionWriter {
  private writing: Promise<unknown> = Promise.resolve();
  private syncWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private syncing = false;

  private constructor(
    private readonly file: FileHandle,
    private readonly ids: { topic: string; partition: number },
    /** Next offset to assign; also the number of complete lines. */
    public nextOffset: number,
    private sizeBytes: number,
  ) {}

  /** Opens for append; a torn last line (a write cut short by a crash, so never acknowledged) is cut away. */
  static async open(path: string, ids: { topic: string; partition: number }, log: Logger): Promise<PartitionWriter> {
    const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const count = await countLines(file);
      if (count.fileBytes > count.validBytes) {
        await file.truncate(count.validBytes);
        await file.sync();
        log.warn({ ...ids, path, tornBytes: count.fileBytes - count.validBytes }, 'torn last line truncated');
      }
      // The file may have just been created: its directory entry must be durable before any append is acknowledged.
      if (count.fileBytes === 0) await fsyncDir(dirname(path));
      return new PartitionWriter(file, ids, count.lines, count.validBytes);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** Appends whole lines (`data` ends with '\n'); resolves with the first line's offset once fsync'd. */
  async append(data: Buffer, lineCount: number): Promise<number> {
    const write = this.writing.then(() => this.write(data, lineCount));
    this.writing = write.catch(() => {});
    const first = await write;
    await this.sync();
    return first;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.file.close();
  }

  private async write(data: Buffer, lineCount: number): Promise<number> {
    const position = this.sizeBytes;
    try {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.file.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
    } catch (err) {
      // Leave no partial line behind for the next append to glue onto.
      await this.file.truncate(position).catch(() => {});
      throw new TransientError('append to the event log failed', { ...this.ids }, err);
    }
    const first = this.nextOffset;
    this.sizeBytes += data.length;
    this.nextOffset += lineCount;
    return first;
  }

  /** Every caller waits for an fsync that started after its write; callers arriving during one share the next. */
  private sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      this.kickSync();
    });
  }

  private kickSync(): void {
    if (this.syncing || this.syncWaiters.length === 0) return;
    this.syncing = true;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    this.file.sync().then(
      () => { for (const w of waiters) w.resolve(); },
      (err) => { for (const w of waiters) w.reject(new TransientError('fsync of the event log failed', { ...this.ids }, err)); },
    ).finally(() => {
      this.syncing = false;
      this.kickSync();
    });
  }
}
