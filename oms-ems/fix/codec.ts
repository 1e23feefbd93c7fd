/**
 * FIX tag=value wire codec. Messages travel as latin1 strings (one char per byte), so BodyLength is a string length
 * and CheckSum a sum of char codes; values are sliced out of the decoded message, never matched with a regex.
 *
 * - `FixFramer` cuts a TCP byte stream into messages the way QuickFIX's parser does (find `8=`, read BodyLength, then
 *   the next `10=` field), so a wrong BodyLength swallows or truncates a message instead of desynchronising the stream.
 * - `parseMessage` splits one message into fields and rejects a garbled one (bad tag, missing `=`, first three fields
 *   not 8, 9, 35, BodyLength or CheckSum wrong) with a `GarbledMessageError`: FIX says such a message is ignored.
 * - `FixEncoder` builds outgoing messages from a header template per session.
 */
import { fix44, type Dictionary } from './dictionary.js';

export const SOH = '\x01';
const SOH_CODE = 1;
const EQUALS = 61;

export type FixValue = string | number;
/** Fields in the order they go on the wire. */
export type FixFields = ReadonlyArray<readonly [number, FixValue]>;

/** A parsed message: every field in wire order, values as received. */
export class FixMessage {
  /** Set by validation: where header, body, trailer and repeating groups are. */
  layout: MessageLayout | undefined;
  constructor(readonly raw: string, readonly tags: number[], readonly values: string[]) {}

  /** Field 35; the parser guarantees it is the third field. */
  get msgType(): string {
    return this.values[2];
  }

  /** Field 34 as a number, NaN when absent or not an integer. */
  get seqNum(): number {
    const v = this.get(34);
    return v === undefined ? Number.NaN : parseDigits(v);
  }

  /** The first occurrence of a tag. */
  get(tag: number): string | undefined {
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) if (tags[i] === tag) return this.values[i];
    return undefined;
  }

  has(tag: number): boolean {
    return this.tags.indexOf(tag) >= 0;
  }

  /** The message with SOH shown as `|`, for logs and test failures. */
  toString(): string {
    return this.raw.replaceAll(SOH, '|');
  }
}

/** Where the parts of a message are, as indexes into `tags`/`values`. */
export interface MessageLayout {
  header: number[];
  body: number[];
  trailer: number[];
  /** For the index of a NumInGroup field: the index just past its last member (members follow it). */
  groupEnds: Map<number, number>;
  /** For the index of a NumInGroup field: how many instances were found. */
  groupCounts: Map<number, number>;
  /** The first header field found after the body or a body field after the trailer (0: none). */
  outOfOrderTag: number;
}

export class GarbledMessageError extends Error {}

/** Field 35 of a message that may not parse, for deciding what to do with a garbled one. */
export function peekMsgType(raw: string): string | undefined {
  const at = raw.indexOf('\x0135=');
  if (at < 0) return undefined;
  const end = raw.indexOf(SOH, at + 4);
  return end < 0 ? undefined : raw.slice(at + 4, end);
}

/** Splits a framed message into fields and checks the envelope (first fields, BodyLength, CheckSum). */
export function parseMessage(raw: string, dictionary: Dictionary = fix44): FixMessage {
  const tags: number[] = [];
  const values: string[] = [];
  const len = raw.length;
  let pos = 0;
  let bodyStart = -1;
  let checksumAt = -1;
  while (pos < len) {
    const tagStart = pos;
    let c = raw.charCodeAt(pos);
    let negative = false;
    if (c === 45) {
      negative = true;
      c = raw.charCodeAt(++pos);
    }
    let tag = 0;
    let tagDigits = 0;
    while (c >= 48 && c <= 57) {
      tag = tag * 10 + (c - 48);
      tagDigits++;
      c = raw.charCodeAt(++pos);
    }
    if (c !== EQUALS) throw new GarbledMessageError(pos >= len ? 'equal sign not found in field' : `field tag is invalid: ${raw.slice(tagStart, raw.indexOf('=', tagStart))}`);
    if (tagDigits === 0) throw new GarbledMessageError('field tag is empty');
    if (negative) tag = -tag;
    const valueStart = pos + 1;
    let end: number;
    if (dictionary.isDataField(tag)) {
      const lengthTag = tag === 89 ? 93 : tag - 1;
      const lengthAt = tags.lastIndexOf(lengthTag);
      const dataLength = lengthAt >= 0 ? parseDigits(values[lengthAt]) : Number.NaN;
      if (Number.isNaN(dataLength)) throw new GarbledMessageError(`data length field ${lengthTag} not found for data field ${tag}`);
      end = valueStart + dataLength;
      if (end >= len || raw.charCodeAt(end) !== SOH_CODE) throw new GarbledMessageError(`data field ${tag} is not ${dataLength} bytes`);
    } else {
      end = raw.indexOf(SOH, valueStart);
      if (end < 0) throw new GarbledMessageError('SOH not found at end of field');
    }
    const count = tags.length;
    if (count < 3 && tag !== (count === 0 ? 8 : count === 1 ? 9 : 35)) throw new GarbledMessageError('header fields out of order');
    if (count === 1) bodyStart = end + 1;
    if (tag === 10 && checksumAt < 0) checksumAt = tagStart;
    tags.push(tag);
    values.push(raw.slice(valueStart, end));
    pos = end + 1;
  }
  if (tags.length < 3) throw new GarbledMessageError('header fields out of order');
  const declaredLength = parseDigits(values[1]);
  if (Number.isNaN(declaredLength)) throw new GarbledMessageError(`BodyLength has wrong format: ${values[1]}`);
  if (checksumAt < 0) throw new GarbledMessageError('CheckSum is missing');
  const actualLength = checksumAt - bodyStart;
  if (declaredLength !== actualLength) throw new GarbledMessageError(`expected BodyLength=${actualLength}, received BodyLength=${declaredLength}`);
  const declaredChecksum = values[tags.indexOf(10)];
  const expected = checksum(raw, 0, checksumAt);
  if (parseDigits(declaredChecksum) !== expected) {
    throw new GarbledMessageError(`expected CheckSum=${expected}, received CheckSum=${declaredChecksum}`);
  }
  return new FixMessage(raw, tags, values);
}

/** A non-negative decimal integer, NaN for anything else (no sign, no spaces, at least one digit). */
export function parseDigits(s: string): number {
  const len = s.length;
  if (len === 0 || len > 15) return Number.NaN;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/** Sum of char codes from `from` to `to` (exclusive), modulo 256. */
export function checksum(s: string, from = 0, to = s.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += s.charCodeAt(i);
  return sum & 255;
}

function checksumField(sum: number): string {
  const n = sum & 255;
  return n < 10 ? `10=00${n}\x01` : n < 100 ? `10=0${n}\x01` : `10=${n}\x01`;
}

/** Adds BeginString, BodyLength and CheckSum around `body` (which starts with `35=`). */
export function frame(beginString: string, body: string): string {
  const head = `8=${beginString}\x019=${body.length}\x01`;
  return head + body + checksumField(checksum(head) + checksum(body));
}

/** Serialises fields in the given order. */
export function encodeFields(fields: FixFields): string {
  let out = '';
  for (const [tag, value] of fields) out += `${tag}=${value}\x01`;
  return out;
}

/** Outgoing messages of one session: the CompIDs are baked into a template. */
export class FixEncoder {
  private readonly head: string;
  private readonly headSum: number;
  constructor(readonly beginString: string, readonly senderCompId: string, readonly targetCompId: string) {
    this.head = `8=${beginString}\x019=`;
    this.headSum = checksum(this.head);
  }

  /**
   * One message. `header` holds header fields other than 8, 9, 35, 34, 49, 52, 56 (PossDupFlag, OrigSendingTime,
   * routing); the header goes out in tag order after 35, as QuickFIX writes it. `body` is already serialised.
   */
  encode(msgType: string, seqNum: number, sendingTime: string, body: string, header?: FixFields): string {
    let fields: string;
    if (header === undefined || header.length === 0) {
      fields = `35=${msgType}\x0134=${seqNum}\x0149=${this.senderCompId}\x0152=${sendingTime}\x0156=${this.targetCompId}\x01${body}`;
    } else {
      const all: Array<readonly [number, FixValue]> = [[34, seqNum], [49, this.senderCompId], [52, sendingTime], [56, this.targetCompId], ...header];
      all.sort((a, b) => a[0] - b[0]);
      fields = `35=${msgType}\x01${encodeFields(all)}${body}`;
    }
    const length = String(fields.length);
    const sum = this.headSum + checksum(length) + SOH_CODE + checksum(fields);
    return `${this.head}${length}\x01${fields}${checksumField(sum)}`;
  }
}

/** A BodyLength beyond this is taken for garbage rather than waited for. */
const MAX_BODY_LENGTH = 1 << 20;

/**
 * Cuts a byte stream into messages. Call `push` with each chunk, then `next` until it returns undefined.
 * A BodyLength that is not a number (or over 1 MiB) discards what is buffered, as QuickFIX does with a non-number, and
 * sets `dropped`.
 */
export class FixFramer {
  private buffer = '';
  private pos = 0;
  /** Set when the last `next` dropped unparseable input. */
  dropped = false;

  push(chunk: Buffer): void {
    const text = chunk.toString('latin1');
    this.buffer = this.pos === 0 ? this.buffer + text : this.buffer.slice(this.pos) + text;
    this.pos = 0;
  }

  /** The next complete message, or undefined when more bytes are needed. */
  next(): string | undefined {
    this.dropped = false;
    const buf = this.buffer;
    let start = buf.indexOf('8=', this.pos);
    if (start < 0) {
      // Junk without a message start: keep only a last '8' that may begin one.
      if (buf.length - this.pos > 1) this.pos = buf.length - 1;
      return undefined;
    }
    const lengthTag = buf.indexOf('\x019=', start);
    if (lengthTag < 0) {
      this.pos = start;
      return undefined;
    }
    const lengthStart = lengthTag + 3;
    const lengthEnd = buf.indexOf(SOH, lengthStart);
    if (lengthEnd < 0) {
      this.pos = start;
      return undefined;
    }
    let length = 0;
    for (let i = lengthStart; i < lengthEnd; i++) {
      const c = buf.charCodeAt(i) - 48;
      if (c < 0 || c > 9) {
        length = -1;
        break;
      }
      length = length * 10 + c;
    }
    if (length < 0 || lengthEnd === lengthStart || length > MAX_BODY_LENGTH) {
      this.buffer = '';
      this.pos = 0;
      this.dropped = true;
      return undefined;
    }
    const bodyEnd = lengthEnd + 1 + length;
    if (buf.length < bodyEnd) {
      this.pos = start;
      return undefined;
    }
    const checksumTag = buf.indexOf('\x0110=', bodyEnd - 1);
    const end = checksumTag < 0 ? -1 : buf.indexOf(SOH, checksumTag + 4);
    if (end < 0) {
      this.pos = start;
      return undefined;
    }
    const message = buf.slice(start, end + 1);
    start = end + 1;
    if (start >= buf.length) {
      this.buffer = '';
      this.pos = 0;
    } else {
      this.pos = start;
    }
    return message;
  }
}
