/**
 * The answer to a ResendRequest, from the messages the store holds for the range: application messages are sent
 * again, runs of session messages (and of numbers the store lacks) become one SequenceReset-GapFill each. The shape of
 * the answer (which gap fills, with which NewSeqNo) is QuickFIX's, which its acceptance scripts check.
 */
import { peekMsgType } from './codec.js';
import { isAdminMsgType } from './dictionary.js';

export interface ResendOutput {
  /** SequenceReset-GapFill with MsgSeqNum `beginSeqNo` and NewSeqNo `newSeqNo`. */
  gapFill(beginSeqNo: number, newSeqNo: number): void;
  /** A stored application message, to go out again as a possible duplicate. */
  resend(raw: string): void;
}

export function resendFromStore(
  stored: ReadonlyArray<readonly [number, string]>, beginSeqNo: number, endSeqNo: number, nextSenderSeqNum: number, out: ResendOutput,
): void {
  let gapStart = 0;
  let current = beginSeqNo;
  let last = 0;
  for (const [seq, raw] of stored) {
    last = seq;
    if (current !== seq && gapStart === 0) gapStart = current;
    if (isAdminMsgType(peekMsgType(raw) ?? '')) {
      if (gapStart === 0) gapStart = seq;
    } else {
      if (gapStart !== 0) out.gapFill(gapStart, seq);
      out.resend(raw);
      gapStart = 0;
    }
    current = seq + 1;
  }
  if (gapStart !== 0) out.gapFill(gapStart, last + 1);
  if (endSeqNo > last) out.gapFill(beginSeqNo, Math.min(endSeqNo + 1, nextSenderSeqNum));
}
