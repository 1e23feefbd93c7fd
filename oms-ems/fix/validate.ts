/**
 * Session-level validation of a parsed message against the dictionary, in the order QuickFIX applies it so that the
 * first problem reported is the same: field order (header, body, trailer), MsgType, required fields, then field by field
 * in tag order (repeated tag, empty value, data format, enumerated value, undefined tag, tag not in this message type,
 * repeating-group count). The result names the SessionRejectReason and the tag for the Reject (35=3).
 */
import { parseDigits, type FixMessage, type MessageLayout } from './codec.js';
import { fix44, type Dictionary, type GroupSpec } from './dictionary.js';
import { isUtcDateOnly, isUtcTimeOnly, parseUtcTimestamp } from './utc-timestamp.js';
import { SessionRejectReason } from './tags.js';

export interface Violation {
  reason: number;
  /** The RefTagID, when the reason is about one field. */
  tag?: number;
}

/** Finds header, body, trailer and repeating groups, as QuickFIX's parser does with its dictionary. */
export function layoutOf(message: FixMessage, dictionary: Dictionary = fix44): MessageLayout {
  if (message.layout) return message.layout;
  const { tags } = message;
  const spec = dictionary.message(message.msgType);
  const layout: MessageLayout = { header: [], body: [], trailer: [], groupEnds: new Map(), groupCounts: new Map(), outOfOrderTag: 0 };
  let section = 0; // 0 header, 1 body, 2 trailer
  let i = 0;
  while (i < tags.length) {
    const tag = tags[i];
    const index = i++;
    if (dictionary.isHeaderField(tag)) {
      if (section !== 0 && layout.outOfOrderTag === 0) layout.outOfOrderTag = tag;
      layout.header.push(index);
      const group = dictionary.headerGroups.get(tag);
      if (group) i = readGroup(tags, index, group, layout);
    } else if (dictionary.isTrailerField(tag)) {
      section = 2;
      layout.trailer.push(index);
    } else {
      if (section === 2 && layout.outOfOrderTag === 0) layout.outOfOrderTag = tag;
      section = 1;
      layout.body.push(index);
      const group = spec?.groups.get(tag);
      if (group) i = readGroup(tags, index, group, layout);
    }
  }
  message.layout = layout;
  return layout;
}

/** Reads the instances after the NumInGroup field at `countIndex`; returns the index after the last member. */
function readGroup(tags: number[], countIndex: number, group: GroupSpec, layout: MessageLayout): number {
  let i = countIndex + 1;
  let instances = 0;
  let current: Set<number> | undefined;
  while (i < tags.length) {
    const tag = tags[i];
    if (tag === group.delimiter || (group.fields.has(tag) && (current === undefined || current.has(tag)))) {
      instances++;
      current = new Set();
    } else if (!group.fields.has(tag) || current === undefined) {
      break;
    }
    current.add(tag);
    const nested = group.groups.get(tag);
    i = nested ? readGroup(tags, i, nested, layout) : i + 1;
  }
  layout.groupEnds.set(countIndex, i);
  layout.groupCounts.set(countIndex, instances);
  return i;
}

/** null when the message is valid; otherwise the first problem, as QuickFIX would report it. */
export function validateMessage(message: FixMessage, dictionary: Dictionary = fix44): Violation | null {
  const layout = layoutOf(message, dictionary);
  if (layout.outOfOrderTag !== 0) return { reason: SessionRejectReason.TagSpecifiedOutOfRequiredOrder, tag: layout.outOfOrderTag };
  const msgType = message.msgType;
  if (!dictionary.isMsgType(msgType)) return { reason: SessionRejectReason.InvalidMsgType };
  const { tags, values } = message;
  const spec = dictionary.message(msgType);

  for (const tag of dictionary.headerRequired) if (!hasIn(tags, layout.header, tag)) return { reason: SessionRejectReason.RequiredTagMissing, tag };
  for (const tag of dictionary.trailerRequired) if (!hasIn(tags, layout.trailer, tag)) return { reason: SessionRejectReason.RequiredTagMissing, tag };
  if (spec) {
    for (const tag of spec.required) if (!hasIn(tags, layout.body, tag)) return { reason: SessionRejectReason.RequiredTagMissing, tag };
    for (const index of layout.body) {
      const group = spec.groups.get(tags[index]);
      if (group) {
        const missing = missingInGroup(tags, index, group, layout);
        if (missing) return { reason: SessionRejectReason.RequiredTagMissing, tag: missing };
      }
    }
  }

  const header = sortedByTag(tags, layout.header, true);
  return checkFields(message, header, 'header', dictionary)
    ?? checkFields(message, sortedByTag(tags, layout.trailer, false), 'trailer', dictionary)
    ?? checkFields(message, sortedByTag(tags, layout.body, false), 'body', dictionary, spec === undefined ? undefined : (index) => {
      const tag = tags[index];
      if (!spec.fields.has(tag)) return { reason: SessionRejectReason.TagNotDefinedForMessageType, tag };
      const count = layout.groupCounts.get(index);
      if (count !== undefined && count !== parseInt(values[index], 10)) return { reason: SessionRejectReason.IncorrectNumInGroupCount, tag };
      return null;
    });
}

function checkFields(
  message: FixMessage, order: number[], section: 'header' | 'trailer' | 'body', dictionary: Dictionary,
  bodyCheck?: (index: number) => Violation | null,
): Violation | null {
  const { tags, values } = message;
  let last = Number.NaN;
  for (const index of order) {
    const tag = tags[index];
    // Without a field list for the message type its repeating groups are unknown, so repeats are not judged.
    if (tag === last && (section !== 'body' || bodyCheck)) return { reason: SessionRejectReason.TagAppearsMoreThanOnce, tag };
    last = tag;
    const value = values[index];
    if (value.length === 0) return { reason: SessionRejectReason.TagSpecifiedWithoutValue, tag };
    if (!hasValidFormat(dictionary, tag, value)) return { reason: SessionRejectReason.IncorrectDataFormat, tag };
    const allowed = dictionary.enumValues(tag);
    if (allowed !== undefined && !allowed.has(value)) return { reason: SessionRejectReason.ValueIsIncorrect, tag };
    if (!dictionary.isDefined(tag)) return { reason: SessionRejectReason.InvalidTagNumber, tag };
    if (section === 'body' && bodyCheck) {
      const violation = bodyCheck(index);
      if (violation) return violation;
    }
  }
  return null;
}

function hasValidFormat(dictionary: Dictionary, tag: number, value: string): boolean {
  switch (dictionary.fieldType(tag)) {
    case 'int': return isInt(value);
    case 'float': return isDecimal(value);
    case 'char': return value.length === 1;
    case 'boolean': return value === 'Y' || value === 'N';
    case 'utctimestamp': return !Number.isNaN(parseUtcTimestamp(value));
    case 'utcdate': return isUtcDateOnly(value);
    case 'utctime': return isUtcTimeOnly(value);
    default: return true;
  }
}

/** Optional '-', then digits. */
export function isInt(s: string): boolean {
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  return s.length > start && !Number.isNaN(parseDigits(start === 0 ? s : s.slice(1)));
}

/** Optional '-', digits, optional '.' and digits, at least one digit: no '+', no exponent. */
export function isDecimal(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let c = s.charCodeAt(i);
  while (c >= 48 && c <= 57) { digits++; c = s.charCodeAt(++i); }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) { digits++; c = s.charCodeAt(++i); }
  }
  return digits > 0 && i === s.length;
}

function hasIn(tags: number[], indexes: number[], tag: number): boolean {
  for (const i of indexes) if (tags[i] === tag) return true;
  return false;
}

/** The group's required fields in each instance; the first missing one, or 0. */
function missingInGroup(tags: number[], countIndex: number, group: GroupSpec, layout: MessageLayout): number {
  if (group.required.length === 0) return 0;
  const end = layout.groupEnds.get(countIndex) ?? countIndex + 1;
  let instance: number[] = [];
  const check = (): number => {
    for (const tag of group.required) if (!instance.includes(tag)) return tag;
    return 0;
  };
  for (let i = countIndex + 1; i < end; i++) {
    if (tags[i] === group.delimiter && instance.length > 0) {
      const missing = check();
      if (missing) return missing;
      instance = [];
    }
    instance.push(tags[i]);
  }
  return instance.length > 0 ? check() : 0;
}

/** Stable sort of field indexes by tag; the header puts 8, 9, 35 first as QuickFIX orders it. */
function sortedByTag(tags: number[], indexes: number[], header: boolean): number[] {
  const key = (i: number): number => {
    const t = tags[i];
    return header ? (t === 8 ? -3 : t === 9 ? -2 : t === 35 ? -1 : t) : t;
  };
  const out = indexes.slice();
  for (let i = 1; i < out.length; i++) {
    const v = out[i];
    const k = key(v);
    let j = i - 1;
    while (j >= 0 && key(out[j]) > k) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = v;
  }
  return out;
}
