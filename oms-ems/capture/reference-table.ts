/**
 * A KTable-like view of a reference topic: the latest version of each record by id. "Latest" is the greatest
 * `event_time`, ties going to the one that arrived last, so an old version that arrives late does not overwrite a
 * newer one. An `active: false` version is a tombstone: the id reads as absent, but the tombstone is kept (with its
 * event time) so that a late, older version cannot bring the record back, and so that callers can tell "withdrawn"
 * from "never heard of". Memory: one record per id ever seen.
 */

export interface ReferenceRecord {
  event_time: string;
  active: boolean;
}

export type ReferenceApplyOutcome = 'inserted' | 'updated' | 'removed' | 'stale';

export type ReferenceLookup<T> =
  | { status: 'active'; record: T }
  | { status: 'withdrawn'; since: string }
  | { status: 'unknown' };

interface Held<T> {
  record: T;
  eventTimeMs: number;
}

export class ReferenceTable<T extends ReferenceRecord> {
  private readonly held = new Map<string, Held<T>>();
  private activeCount = 0;

  constructor(private readonly keyOf: (record: T) => string) {}

  /** Applies one version; `stale` when a version with a later event time is already held. */
  apply(record: T): ReferenceApplyOutcome {
    const id = this.keyOf(record);
    const eventTimeMs = Date.parse(record.event_time);
    const current = this.held.get(id);
    if (current !== undefined && eventTimeMs < current.eventTimeMs) return 'stale';
    this.held.set(id, { record, eventTimeMs });
    const wasActive = current?.record.active ?? false;
    this.activeCount += (record.active ? 1 : 0) - (wasActive ? 1 : 0);
    if (!record.active) return 'removed';
    return wasActive ? 'updated' : 'inserted';
  }

  /** The active record, or undefined when it is unknown or withdrawn. */
  get(id: string): T | undefined {
    const current = this.held.get(id);
    return current?.record.active ? current.record : undefined;
  }

  lookup(id: string): ReferenceLookup<T> {
    const current = this.held.get(id);
    if (current === undefined) return { status: 'unknown' };
    if (!current.record.active) return { status: 'withdrawn', since: current.record.event_time };
    return { status: 'active', record: current.record };
  }

  /** Records that are active (tombstones excluded). */
  get size(): number {
    return this.activeCount;
  }

  *values(): IterableIterator<T> {
    for (const { record } of this.held.values()) if (record.active) yield record;
  }
}
