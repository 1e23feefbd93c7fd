/**
 * Damage a share of a day's events the way real feeds do, so the layers below always meet it: malformed payloads,
 * values that break the schema, duplicates, and records that arrive out of order. (Late corrections and versions out
 * of order need the trade's history; the trading flow makes those.) The damage happens on the wire: the services
 * themselves saw the clean events.
 */
import type { Random } from './random.js';
import type { SimEvent } from './event-sink.js';

export type BadKind = 'malformed' | 'invalid' | 'duplicate' | 'out_of_order';

export interface BadRecordCounts {
  malformed: number;
  invalid: number;
  duplicate: number;
  out_of_order: number;
}

export function emptyBadCounts(): BadRecordCounts {
  return { malformed: 0, invalid: 0, duplicate: 0, out_of_order: 0 };
}

const kinds: readonly (readonly [BadKind, number])[] = [
  ['malformed', 1],
  ['invalid', 2],
  ['duplicate', 2],
  ['out_of_order', 2],
];

/** One way to break a value per field type: a wrong type, an impossible value, or a missing required field. */
function invalidate(value: Record<string, unknown>, rand: Random): Record<string, unknown> {
  const out = { ...value };
  const fields = Object.keys(out).filter((k) => k !== 'event_id');
  const field = rand.pick(fields);
  const v = out[field];
  const how = rand.int(0, 2);
  if (how === 0) delete out[field];
  else if (typeof v === 'number') out[field] = how === 1 ? -Math.abs(v) - 1 : String(v);
  else if (typeof v === 'string') out[field] = how === 1 ? (/^\d{4}-\d\d-\d\d/.test(v) ? '2026-02-30' : '') : 12345;
  else if (typeof v === 'boolean') out[field] = 'yes';
  else out[field] = { unexpected: true };
  return out;
}

/** Returns the day's events with `share` of them damaged; `counts` says how many of each kind. */
export function injectBadRecords(events: SimEvent[], options: { rand: Random; share: number; counts: BadRecordCounts; topics?: ReadonlySet<string> }): SimEvent[] {
  const { rand, share, counts, topics } = options;
  if (share <= 0) return events;
  const out: SimEvent[] = [];
  const delayed: { at: number; event: SimEvent }[] = [];
  for (let i = 0; i < events.length; i++) {
    while (delayed.length > 0 && delayed[0].at <= i) out.push(delayed.shift()!.event);
    const e = events[i];
    if ((topics !== undefined && !topics.has(e.topic)) || typeof e.value === 'string' || !rand.chance(share)) {
      out.push(e);
      continue;
    }
    const kind = rand.weighted(kinds);
    counts[kind]++;
    if (kind === 'malformed') {
      const text = JSON.stringify(e.value);
      out.push({ ...e, value: text.slice(0, Math.max(1, Math.floor(text.length * rand.next()))) });
    } else if (kind === 'invalid') {
      out.push({ ...e, value: invalidate(e.value, rand) });
    } else if (kind === 'duplicate') {
      out.push(e);
      delayed.push({ at: i + rand.int(1, 50), event: e });
      delayed.sort((a, b) => a.at - b.at);
    } else {
      // Keeps its timestamp but arrives up to a few hundred records later.
      delayed.push({ at: i + rand.int(5, 500), event: e });
      delayed.sort((a, b) => a.at - b.at);
    }
  }
  for (const d of delayed) out.push(d.event);
  return out;
}
