/** Envelope fields for simulated events: deterministic event ids, business time as ISO-8601. */
export interface Envelope {
  event_id: string;
  schema_version: number;
  event_time: string;
  source: string;
}

export function envelope(eventId: string, timeMs: number, source: string): Envelope {
  return { event_id: eventId, schema_version: 1, event_time: new Date(timeMs).toISOString(), source };
}

/** Epoch ms of a UTC time of day on an ISO date. */
export function at(isoDate: string, hours: number): number {
  return Date.parse(`${isoDate}T00:00:00Z`) + Math.round(hours * 3_600_000);
}
