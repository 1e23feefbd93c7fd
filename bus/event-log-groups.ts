/**
 * Committed offsets of one consumer group of the embedded log: `<dir>/groups/<group>.json`.
 * Each offset is stored with the byte where that line starts, so a member resumes by seeking, not by re-reading.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TerminalError } from '../lib/errors.js';
import { writeFileAtomic } from './atomic-file.js';

export interface CommittedPosition {
  /** Next offset to read (decimal string, as Kafka). */
  offset: string;
  /** Byte where that offset's line starts; null when unknown (then the reader counts lines). */
  byte: number | null;
}

/** topic -> partition -> position */
export type GroupOffsets = Record<string, Record<string, CommittedPosition>>;

/** File name of a group: any group id is legal in Kafka, so it is escaped for the filesystem. */
export function groupFileBase(groupsDir: string, groupId: string): string {
  const safe = encodeURIComponent(groupId).replace(/^\.\.?$/, (d) => d.replace(/\./g, '%2E'));
  return join(groupsDir, safe);
}

export async function readGroupOffsets(groupsDir: string, groupId: string): Promise<GroupOffsets> {
  const path = `${groupFileBase(groupsDir, groupId)}.json`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const doc = JSON.parse(text) as { offsets?: GroupOffsets };
    return doc.offsets ?? {};
  } catch (err) {
    throw new TerminalError(`committed offsets of group ${groupId} are unreadable: fix or remove ${path}`, { groupId, path }, err);
  }
}

/** Merges positions into the group's file, atomically; durable when resolved. */
export async function writeGroupOffsets(groupsDir: string, groupId: string, updates: (TopicPartitionPosition)[]): Promise<void> {
  const offsets = await readGroupOffsets(groupsDir, groupId);
  for (const u of updates) {
    (offsets[u.topic] ??= {})[String(u.partition)] = { offset: u.offset, byte: u.byte };
  }
  const doc = { groupId, updatedAt: new Date().toISOString(), offsets };
  await writeFileAtomic(`${groupFileBase(groupsDir, groupId)}.json`, `${JSON.stringify(doc, null, 1)}\n`);
}

export interface TopicPartitionPosition extends CommittedPosition {
  topic: string;
  partition: number;
}
