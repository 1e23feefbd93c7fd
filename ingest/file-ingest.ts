/**
 * `ingest --source file:<path>`: lands every line of a record file into bronze, in micro-batches.
 * A record's identity is (SHA-256 of the file's content, line number), so a re-run, or a run resumed after a
 * crash, skips the lines that are in bronze already and lands the rest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseRecordLine, readRecordLines } from '../bus/record-file.js';
import type { BronzeWriter } from '../bronze/bronze-writer.js';
import { filePositionKey, type FileItem } from '../bronze/encode-batch.js';
import { UsageError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { Progress } from './progress.js';

export interface IngestSummary {
  records: number;
  landed: number;
  dead_lettered: number;
  already_landed: number;
}

export interface IngestFileOptions {
  path: string;
  writer: BronzeWriter;
  maxBatchRows?: number;
  maxBatchBytes?: number;
  maxRecordBytes?: number;
  logger?: Logger;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function ingestFile(options: IngestFileOptions): Promise<IngestSummary> {
  const { writer, maxBatchRows = 100_000, maxBatchBytes = 64 << 20, maxRecordBytes = 1_048_576 } = options;
  const log = (options.logger ?? silentLogger).child({ module: 'ingest', source: 'file' });
  const path = resolve(options.path);
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UsageError(`record file not found: ${options.path}`);
  if (!info.isFile()) throw new UsageError(`not a regular file: ${options.path}`);

  const sha256 = await sha256File(path);
  await writer.refresh();
  const landedUpTo = Number(writer.watermarks()[filePositionKey(sha256)] ?? 0);
  log.info({ path, sha256, bytes: info.size, resumeAfterLine: landedUpTo }, 'ingesting record file');

  const summary: IngestSummary = { records: 0, landed: 0, dead_lettered: 0, already_landed: 0 };
  const progress = new Progress(log, info.size);
  let items: FileItem[] = [];
  let itemBytes = 0;
  const flush = async (): Promise<void> => {
    if (items.length === 0) return;
    const r = await writer.land({ kind: 'file', source: `file:${path}`, path, sha256, items });
    summary.landed += r.landed;
    summary.dead_lettered += r.deadLettered;
    summary.already_landed += r.alreadyLanded;
    items = [];
    itemBytes = 0;
  };

  for await (const lines of readRecordLines(path, { maxLineBytes: maxRecordBytes })) {
    for (const l of lines) {
      summary.records += 1;
      if (l.line <= landedUpTo) {
        summary.already_landed += 1;
        continue;
      }
      if (l.text === null) {
        const reason = l.bytes > maxRecordBytes ? `line is ${l.bytes} bytes, over the ${maxRecordBytes}-byte record limit` : 'not valid UTF-8';
        items.push({ line: l.line, reason, raw: l.raw ?? Buffer.alloc(0), bytes: l.bytes });
      } else {
        const parsed = parseRecordLine(l.text);
        items.push(parsed.ok ? { line: l.line, record: parsed.record } : { line: l.line, reason: parsed.reason, raw: l.text, bytes: l.bytes });
      }
      itemBytes += l.bytes;
      if (items.length >= maxBatchRows || itemBytes >= maxBatchBytes) await flush();
    }
    progress.update(lines[lines.length - 1].end, summary);
  }
  await flush();
  progress.done(summary);
  return summary;
}
