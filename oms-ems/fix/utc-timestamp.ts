/**
 * FIX UTCTimestamp text (`YYYYMMDD-HH:MM:SS[.sss...]`) to and from epoch milliseconds. Both directions cache the
 * whole-second part: a busy session formats and parses thousands of timestamps within the same second.
 */

let formattedSecond = Number.NaN;
let formattedPrefix = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYYMMDD-HH:MM:SS.sss` (or without milliseconds) in UTC. */
export function formatUtcTimestamp(epochMs: number, millis = true): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== formattedSecond) {
    const d = new Date(second * 1000);
    formattedPrefix = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-`
      + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    formattedSecond = second;
  }
  if (!millis) return formattedPrefix;
  const ms = epochMs - second * 1000;
  return `${formattedPrefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

let parsedPrefix = '';
let parsedSecondMs = 0;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Epoch milliseconds, or NaN when the text is not a UTCTimestamp as QuickFIX accepts it (17 to 27 characters,
 * month 1-12, day 1-31, hour <= 23, minute <= 59, second <= 60, optional fraction of any precision).
 */
export function parseUtcTimestamp(s: string): number {
  const len = s.length;
  if (len < 17 || len > 27) return Number.NaN;
  let base: number;
  const prefix = s.length === 17 ? s : s.slice(0, 17);
  if (prefix === parsedPrefix) {
    base = parsedSecondMs;
  } else {
    if (s.charCodeAt(8) !== 45 || s.charCodeAt(11) !== 58 || s.charCodeAt(14) !== 58) return Number.NaN;
    const year = digits(s, 0, 4);
    const month = digits(s, 4, 2);
    const day = digits(s, 6, 2);
    const hour = digits(s, 9, 2);
    const minute = digits(s, 12, 2);
    const second = digits(s, 15, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
      || second < 0 || second > 60) return Number.NaN;
    base = Date.UTC(year, month - 1, day, hour, minute, second);
    parsedPrefix = prefix;
    parsedSecondMs = base;
  }
  if (len === 17) return base;
  if (s.charCodeAt(17) !== 46 || len === 18) return Number.NaN;
  const fraction = digits(s, 18, len - 18);
  if (fraction < 0) return Number.NaN;
  return base + Math.floor(fraction / 10 ** (len - 18 - 3));
}

/** `HH:MM:SS[.sss...]` (UTCTimeOnly) is well formed. */
export function isUtcTimeOnly(s: string): boolean {
  const len = s.length;
  if (len < 8 || len > 18 || s.charCodeAt(2) !== 58 || s.charCodeAt(5) !== 58) return false;
  const hour = digits(s, 0, 2);
  const minute = digits(s, 3, 2);
  const second = digits(s, 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (len === 8) return true;
  return s.charCodeAt(8) === 46 && len > 9 && digits(s, 9, len - 9) >= 0;
}

/** `YYYYMMDD` (UTCDateOnly) is well formed. */
export function isUtcDateOnly(s: string): boolean {
  if (s.length !== 8) return false;
  const month = digits(s, 4, 2);
  const day = digits(s, 6, 2);
  return digits(s, 0, 4) >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
