/** Reading a consumed record as one of the event schemas: JSON, then zod, with the reason when either fails. */
import type { z } from 'zod';
import { errorHeader, type BusRecord } from '../../bus/event-bus.js';

export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; reason: string; parsed: unknown; text: string | null };

export function decodeRecord<T>(record: BusRecord, schema: z.ZodType<T>): Decoded<T> {
  const text = record.value === null ? null : record.value.toString('utf8');
  const adapterError = record.headers?.[errorHeader];
  if (adapterError !== undefined) return { ok: false, reason: `undecodable record: ${String(adapterError)}`, parsed: undefined, text };
  if (text === null) return { ok: false, reason: 'no value', parsed: undefined, text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'value is not JSON', parsed: undefined, text };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`);
    return { ok: false, reason: issues.join('; '), parsed, text };
  }
  return { ok: true, value: result.data };
}
