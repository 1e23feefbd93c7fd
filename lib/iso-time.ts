/** ISO-8601 text of an epoch-ms time, remembering the last one: event emitters stamp many events with one time. */
let lastMs = Number.NaN;
let lastText = '';

export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
