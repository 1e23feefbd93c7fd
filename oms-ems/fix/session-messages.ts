/**
 * The bodies and extra header fields of the messages a session composes from one it received: Reject,
 * BusinessMessageReject, an echo, and a stored message resent as a possible duplicate. Pure: the session adds
 * MsgSeqNum, SendingTime and the CompIDs.
 */
import { encodeFields, type FixMessage, type FixValue } from './codec.js';
import { SessionRejectReason, sessionRejectText, businessRejectText, Tag } from './tags.js';
import { layoutOf } from './validate.js';

export interface Composed {
  body: string;
  /** Header fields besides 8, 9, 35, 34, 49, 52, 56. */
  header: Array<[number, string]>;
}

/** Header fields a session sets itself, so an echo or a resend does not copy them. */
const SESSION_HEADER = new Set([8, 9, 35, 34, 49, 52, 56, Tag.PossDupFlag, Tag.OrigSendingTime]);

/** A Reject goes back along the route the message came: OnBehalfOf* becomes DeliverTo* and the reverse. */
const ROUTE_REVERSE: ReadonlyArray<readonly [number, number]> = [
  [Tag.OnBehalfOfCompID, Tag.DeliverToCompID], [Tag.OnBehalfOfSubID, Tag.DeliverToSubID],
  [Tag.DeliverToCompID, Tag.OnBehalfOfCompID], [Tag.DeliverToSubID, Tag.OnBehalfOfSubID],
  [Tag.OnBehalfOfLocationID, Tag.DeliverToLocationID], [Tag.DeliverToLocationID, Tag.OnBehalfOfLocationID],
];

/** Reject (35=3): RefSeqNum, Text, RefTagID (when the reason is about a tag), RefMsgType, SessionRejectReason. */
export function sessionReject(message: FixMessage, reason: number, tag?: number): Composed {
  const header: Array<[number, string]> = [];
  for (const [from, to] of ROUTE_REVERSE) {
    const v = message.get(from);
    if (v) header.push([to, v]);
  }
  const fields: Array<[number, FixValue]> = [];
  const seqText = message.get(Tag.MsgSeqNum);
  if (seqText) fields.push([Tag.RefSeqNum, seqText]);
  const text = sessionRejectText[reason];
  if (text) fields.push([Tag.Text, text]);
  if (text && ((tag !== undefined && tag !== 0) || reason === SessionRejectReason.InvalidTagNumber)) fields.push([Tag.RefTagID, tag ?? 0]);
  if (message.msgType) fields.push([Tag.RefMsgType, message.msgType]);
  fields.push([Tag.SessionRejectReason, reason]);
  return { body: encodeFields(fields), header };
}

/** BusinessMessageReject (35=j): RefSeqNum, Text (naming the tag if any), RefMsgType, BusinessRejectReason. */
export function businessReject(message: FixMessage, reason: number, tag?: number, text?: string): string {
  const reasonText = text ?? businessRejectText[reason];
  const fields: Array<[number, FixValue]> = [[Tag.RefSeqNum, message.get(Tag.MsgSeqNum) ?? '0']];
  if (reasonText) fields.push([Tag.Text, tag === undefined ? reasonText : `${reasonText} (${tag})`]);
  fields.push([Tag.RefMsgType, message.msgType], [Tag.BusinessRejectReason, reason]);
  return encodeFields(fields);
}

/** The message's own header fields (PossResend, routing) and its body in tag order, groups kept whole. */
export function echoOf(message: FixMessage): Composed {
  const layout = layoutOf(message);
  const { tags, values } = message;
  const blocks = layout.body.map((i) => ({ tag: tags[i], from: i, to: layout.groupEnds.get(i) ?? i + 1 }));
  blocks.sort((a, b) => a.tag - b.tag);
  let body = '';
  for (const b of blocks) for (let i = b.from; i < b.to; i++) body += `${tags[i]}=${values[i]}\x01`;
  return { body, header: ownHeader(message) };
}

/** A stored message as a possible duplicate: PossDupFlag=Y and OrigSendingTime = its SendingTime; body unchanged. */
export function possibleDuplicate(stored: FixMessage): Composed {
  const layout = layoutOf(stored);
  const inBody = new Uint8Array(stored.tags.length);
  for (const i of layout.body) inBody[i] = 1;
  for (const [countIndex, end] of layout.groupEnds) if (inBody[countIndex]) inBody.fill(1, countIndex, end);
  let body = '';
  for (let i = 0; i < stored.tags.length; i++) if (inBody[i]) body += `${stored.tags[i]}=${stored.values[i]}\x01`;
  return { body, header: [[Tag.PossDupFlag, 'Y'], [Tag.OrigSendingTime, stored.get(Tag.SendingTime) ?? ''], ...ownHeader(stored)] };
}

function ownHeader(message: FixMessage): Array<[number, string]> {
  const layout = layoutOf(message);
  const header: Array<[number, string]> = [];
  for (const i of layout.header) if (!SESSION_HEADER.has(message.tags[i])) header.push([message.tags[i], message.values[i]]);
  return header;
}
