/**
 * Finds the raw text of a top-level member of a JSON object, so a payload is kept byte for byte
 * (JSON.parse + JSON.stringify would round 12345678901234567.89 and rewrite 100.10 as 100.1).
 * The text must already be valid JSON (the caller has parsed it); this only locates spans.
 */
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/** i at the opening quote; returns the index after the closing quote. */
function skipString(s: string, i: number): number {
  for (let j = i + 1; ; ) {
    const q = s.indexOf('"', j);
    if (q === -1) return s.length;
    let slashes = 0;
    for (let k = q - 1; s.charCodeAt(k) === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** i at a value's first character; returns the index after it. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < s.length; ) {
      const d = s.charCodeAt(j);
      if (d === QUOTE) { j = skipString(s, j); continue; }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return s.length;
  }
  let j = i;
  for (;;) {
    const d = s.charCodeAt(j);
    if (Number.isNaN(d) || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 32 || d === 9 || d === 10 || d === 13) return j;
    j++;
  }
}

/** [start, end) of the last top-level member called `name` (JSON.parse keeps the last of duplicates too), or null. */
export function topLevelMemberSpan(text: string, name: string): [number, number] | null {
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i++;
  let found: [number, number] | null = null;
  while (i < text.length) {
    i = skipWs(text, i);
    if (text.charCodeAt(i) === CLOSE_BRACE) break;
    const keyStart = i;
    i = skipString(text, i);
    const rawKey = text.slice(keyStart + 1, i - 1);
    const key = rawKey.includes('\\') ? (JSON.parse(text.slice(keyStart, i)) as string) : rawKey;
    i = skipWs(text, i) + 1; // past ':'
    i = skipWs(text, i);
    const valueStart = i;
    i = skipValue(text, i);
    if (key === name) found = [valueStart, i];
    i = skipWs(text, i);
    if (text.charCodeAt(i) === COMMA) i++;
  }
  return found;
}
