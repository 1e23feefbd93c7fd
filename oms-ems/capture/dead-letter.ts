/**
 * `trades.dead_letter` events: executions trade capture could not turn into trades, with the reason. Ids are
 * deterministic (the execution's venue and id, or its position in the topic), so a re-run emits the same events.
 */
import type { ExecutionEvent } from '../schemas/execution-event.js';
import type { TradeDeadLetterEvent } from '../schemas/trade-event.js';
import { stableId } from './stable-id.js';

export const captureSource = 'trade-capture';

export type MissingReference = TradeDeadLetterEvent['missing'][number];

/** An execution whose instrument or counterparty is not (or no longer) in the reference data. */
export function unenrichedDeadLetter(exec: ExecutionEvent, missing: MissingReference[], reasons: string[]): TradeDeadLetterEvent {
  return {
    event_id: stableId('DL:', [exec.venue, exec.exec_id]),
    schema_version: 1,
    event_time: exec.event_time,
    source: captureSource,
    reason: reasons.join('; '),
    missing,
    exec_id: exec.exec_id,
    execution: { ...exec },
  };
}

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
  /** The record's timestamp, epoch ms as a decimal string. */
  timestamp: string;
}

/**
 * A record of `executions` that is not a valid execution event (not JSON, or failing the schema). Its exec id is the
 * one it carries when that is usable, else its position in the topic; `execution` holds what could be read of it.
 */
export function invalidExecutionDeadLetter(value: unknown, rawText: string | null, reason: string, at: RecordPosition): TradeDeadLetterEvent {
  const position = `${at.topic}/${at.partition}/${at.offset}`;
  const carried = isObject(value) ? value : null;
  const execId = typeof carried?.exec_id === 'string' && carried.exec_id.length > 0 && carried.exec_id.length <= 64 ? carried.exec_id : position;
  const eventTimeMs = Number(at.timestamp);
  return {
    event_id: stableId('DL:', [at.topic, String(at.partition), at.offset]),
    schema_version: 1,
    event_time: new Date(Number.isFinite(eventTimeMs) ? eventTimeMs : 0).toISOString(),
    source: captureSource,
    reason: `invalid execution at ${position}: ${reason}`,
    missing: [],
    exec_id: execId,
    execution: carried ?? { raw: rawText },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
