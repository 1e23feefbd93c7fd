import { describe, expect, it } from 'vitest';
import { ReferenceTable } from './reference-table.js';
import { counterpartyEvent, instrumentEvent } from './test-fixtures/events.js';

describe('ReferenceTable', () => {
  it('holds the version with the latest event time, whatever order versions arrive in', () => {
    const table = new ReferenceTable((i: ReturnType<typeof instrumentEvent>) => i.instrument_id);
    expect(table.apply(instrumentEvent({ event_time: '2026-03-01T10:00:00Z', rating: 'AA' }))).toBe('inserted');
    expect(table.apply(instrumentEvent({ event_time: '2026-03-01T12:00:00Z', rating: 'A' }))).toBe('updated');
    expect(table.apply(instrumentEvent({ event_time: '2026-03-01T11:00:00Z', rating: 'BBB' }))).toBe('stale');
    expect(table.get('US912828ZT05')?.rating).toBe('A');
    expect(table.size).toBe(1);
  });

  it('compares event times as instants, across UTC offsets', () => {
    const table = new ReferenceTable((i: ReturnType<typeof instrumentEvent>) => i.instrument_id);
    table.apply(instrumentEvent({ event_time: '2026-03-01T12:00:00+02:00', rating: 'AA' })); // 10:00 UTC
    expect(table.apply(instrumentEvent({ event_time: '2026-03-01T11:00:00Z', rating: 'A' }))).toBe('updated');
    expect(table.get('US912828ZT05')?.rating).toBe('A');
  });

  it('lets the later arrival win when two versions have the same event time', () => {
    const table = new ReferenceTable((c: ReturnType<typeof counterpartyEvent>) => c.counterparty_id);
    table.apply(counterpartyEvent({ name: 'first' }));
    expect(table.apply(counterpartyEvent({ name: 'second' }))).toBe('updated');
    expect(table.get('CP0001')?.name).toBe('second');
  });

  it('removes a record on a tombstone and says it was withdrawn, not unknown', () => {
    const table = new ReferenceTable((c: ReturnType<typeof counterpartyEvent>) => c.counterparty_id);
    table.apply(counterpartyEvent({ event_time: '2026-03-01T00:00:00Z' }));
    expect(table.apply(counterpartyEvent({ event_time: '2026-03-02T00:00:00Z', active: false }))).toBe('removed');
    expect(table.get('CP0001')).toBeUndefined();
    expect(table.lookup('CP0001')).toEqual({ status: 'withdrawn', since: '2026-03-02T00:00:00Z' });
    expect(table.lookup('CP9999')).toEqual({ status: 'unknown' });
    expect(table.size).toBe(0);
    expect([...table.values()]).toEqual([]);
  });

  it('does not let an older version that arrives after the tombstone bring the record back', () => {
    const table = new ReferenceTable((c: ReturnType<typeof counterpartyEvent>) => c.counterparty_id);
    table.apply(counterpartyEvent({ event_time: '2026-03-02T00:00:00Z', active: false }));
    expect(table.apply(counterpartyEvent({ event_time: '2026-03-01T00:00:00Z' }))).toBe('stale');
    expect(table.get('CP0001')).toBeUndefined();
  });

  it('brings a record back with a version later than its tombstone', () => {
    const table = new ReferenceTable((c: ReturnType<typeof counterpartyEvent>) => c.counterparty_id);
    table.apply(counterpartyEvent({ event_time: '2026-03-01T00:00:00Z' }));
    table.apply(counterpartyEvent({ event_time: '2026-03-02T00:00:00Z', active: false }));
    expect(table.apply(counterpartyEvent({ event_time: '2026-03-03T00:00:00Z', name: 'Reinstated' }))).toBe('inserted');
    expect(table.get('CP0001')?.name).toBe('Reinstated');
    expect(table.size).toBe(1);
  });
});
