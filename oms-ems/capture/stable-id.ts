/**
 * Deterministic ids built from the facts that identify a thing, so that running a service again (a replay, a
 * re-delivery after a crash) emits the same ids and consumers can deduplicate on them. An id longer than the
 * schemas allow becomes `prefix#<hash>`; a readable id never contains '#' where a hash would start, so the two forms
 * never collide.
 */
import { createHash } from 'node:crypto';

/** Longest id the event schemas accept (`idSchema`). */
export const maxIdLength = 64;

/** `prefix` + the parts joined by ':', each part's '%', ':' and '#' %-escaped so that the id is unambiguous. */
export function stableId(prefix: string, parts: string[], max = maxIdLength): string {
  const readable = `${prefix}${parts.map(escapePart).join(':')}`;
  return readable.length <= max ? readable : hashed(prefix, JSON.stringify(parts), max);
}

/**
 * An id derived from another id: `prefix` + base, then ':' + suffix when given. Unambiguous without escaping since
 * the prefix is fixed and the suffix (a number) has no ':'; `base` must not start with '#'.
 */
export function derivedId(prefix: string, base: string, suffix?: number, max = maxIdLength): string {
  const tail = suffix === undefined ? '' : `:${suffix}`;
  const readable = `${prefix}${base}${tail}`;
  return readable.length <= max ? readable : `${hashed(prefix, base, max - tail.length)}${tail}`;
}

function hashed(prefix: string, text: string, max: number): string {
  const digest = createHash('sha256').update(text).digest('hex');
  return `${prefix}#${digest.slice(0, Math.max(16, Math.min(40, max - prefix.length - 1)))}`;
}

function escapePart(part: string): string {
  return part.replace(/[%:#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
