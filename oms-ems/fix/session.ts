/**
 * One FIX 4.4 session (a SenderCompID/TargetCompID pair), independent of TCP: `receive` takes framed messages, `tick`
 * drives heartbeats and timeouts, output goes to the attached `FixTransport` once per event-loop turn (after the
 * store has recorded it). The rules follow the FIX session protocol as QuickFIX implements it, because QuickFIX's
 * acceptance suite is what holds this engine to it:
 * - a garbled message (bad BodyLength, CheckSum, tag) is ignored; one that fails validation gets a Reject (35=3);
 * - MsgSeqNum too high: the message is queued and a ResendRequest asks for the gap; too low without PossDupFlag: Logout
 *   and disconnect; a PossDup duplicate is dropped (or rejected if OrigSendingTime is missing or later than SendingTime);
 * - SendingTime more than `maxLatencyS` off, or wrong CompIDs: Reject and Logout;
 * - a ResendRequest is answered with the stored application messages (PossDupFlag=Y, OrigSendingTime) and
 *   SequenceReset-GapFill over session messages;
 * - no traffic for HeartBtInt: Heartbeat; nothing received for 1.2 x HeartBtInt: TestRequest; for 2.4 x: disconnect.
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../lib/log.js';
import { encodeFields, FixEncoder, GarbledMessageError, parseDigits, parseMessage, peekMsgType, type FixFields, type FixMessage, type FixValue } from './codec.js';
import { fix44, isAdminMsgType } from './dictionary.js';
import { MemoryStore, type MessageStore } from './message-store.js';
import { FixRejectError } from './reject-error.js';
import { resendFromStore } from './resend.js';
import { businessReject, echoOf, possibleDuplicate, sessionReject } from './session-messages.js';
import { BusinessRejectReason, MsgType, SessionRejectReason, Tag } from './tags.js';
import { formatUtcTimestamp, parseUtcTimestamp } from './utc-timestamp.js';
import { validateMessage } from './validate.js';

export interface FixApplication {
  onLogon?(session: FixSession): void;
  onLogout?(session: FixSession): void;
  /** An application message, in sequence and validated. Throw a `FixRejectError` to reject it. */
  fromApp(message: FixMessage, session: FixSession): void;
  /** The counterparty refused one of our messages with a session-level Reject (35=3). */
  onSessionReject?(reject: FixMessage, session: FixSession): void;
}

/** Where a session's output goes: a latin1 string per write. */
export interface FixTransport {
  write(data: string): void;
  end(): void;
}

export interface FixSessionOptions {
  senderCompId: string;
  targetCompId: string;
  initiator: boolean;
  store?: MessageStore;
  application?: FixApplication;
  /** HeartBtInt (108) an initiator proposes; an acceptor takes the counterparty's. */
  heartbeatIntervalS?: number;
  /** Sequence numbers back to 1 at every Logon (an initiator then sends ResetSeqNumFlag=Y). */
  resetOnLogon?: boolean;
  /** How far SendingTime may be from our clock; 0 turns the check off. */
  maxLatencyS?: number;
  logonTimeoutS?: number;
  logoutTimeoutS?: number;
  logger?: Logger;
  /** Epoch milliseconds; tests pass a fake clock. */
  clock?: () => number;
}

export class FixSession extends EventEmitter<{ logon: []; disconnect: [reason: string] }> {
  readonly senderCompId: string;
  readonly targetCompId: string;
  readonly initiator: boolean;
  readonly store: MessageStore;
  application: FixApplication | undefined;
  heartbeatIntervalS: number;
  readonly logger: Logger;
  private readonly encoder: FixEncoder;
  private readonly resetOnLogon: boolean;
  private readonly maxLatencyS: number;
  private readonly logonTimeoutMs: number;
  private readonly logoutTimeoutMs: number;
  private readonly now: () => number;

  private transport: FixTransport | undefined;
  private out = '';
  private flushScheduled = false;
  private receivedLogon = false;
  private sentLogon = false;
  private sentLogout = false;
  private receivedReset = false;
  private sentReset = false;
  private lastSentMs = 0;
  private lastReceivedMs = 0;
  private attachedMs = 0;
  private testRequests = 0;
  private resendRange: [number, number] | undefined;
  private readonly queue = new Map<number, FixMessage>();

  constructor(options: FixSessionOptions) {
    super();
    this.senderCompId = options.senderCompId;
    this.targetCompId = options.targetCompId;
    this.initiator = options.initiator;
    this.store = options.store ?? new MemoryStore();
    this.application = options.application;
    this.heartbeatIntervalS = options.heartbeatIntervalS ?? 30;
    this.resetOnLogon = options.resetOnLogon ?? false;
    this.maxLatencyS = options.maxLatencyS ?? 120;
    this.logonTimeoutMs = (options.logonTimeoutS ?? 10) * 1000;
    this.logoutTimeoutMs = (options.logoutTimeoutS ?? 2) * 1000;
    this.now = options.clock ?? Date.now;
    this.logger = (options.logger ?? silentLogger).child({ session: `${this.senderCompId}->${this.targetCompId}` });
    this.encoder = new FixEncoder(fix44.beginString, this.senderCompId, this.targetCompId);
  }

  get isLoggedOn(): boolean {
    return this.receivedLogon && this.sentLogon;
  }

  get isConnected(): boolean {
    return this.transport !== undefined;
  }

  get nextSenderSeqNum(): number {
    return this.store.nextSenderSeqNum;
  }

  get nextTargetSeqNum(): number {
    return this.store.nextTargetSeqNum;
  }

  isAttachedTo(transport: FixTransport): boolean {
    return this.transport === transport;
  }

  /** A connection now carries this session. */
  attach(transport: FixTransport): void {
    this.transport = transport;
    this.attachedMs = this.now();
    this.lastReceivedMs = this.attachedMs;
  }

  /** Initiator: send the Logon. */
  logon(): void {
    if (this.resetOnLogon) this.store.reset();
    const fields: Array<[number, FixValue]> = [[Tag.EncryptMethod, 0], [Tag.HeartBtInt, this.heartbeatIntervalS]];
    const reset = this.resetOnLogon && this.store.nextSenderSeqNum === 1 && this.store.nextTargetSeqNum === 1;
    if (reset) fields.push([Tag.ResetSeqNumFlag, 'Y']);
    this.lastReceivedMs = this.now();
    this.testRequests = 0;
    this.sentLogon = true;
    this.sentReset = reset;
    this.sendRaw(MsgType.Logon, encodeFields(fields));
  }

  /** Sends a Logout; the session disconnects when the answer comes or after the logout timeout. */
  logout(text?: string): void {
    if (!this.transport) return;
    this.generateLogout(text);
  }

  /** Sends a message built from fields in wire order; returns its MsgSeqNum (-1 when dropped). */
  send(msgType: string, fields: FixFields, header?: FixFields): number {
    return this.sendRaw(msgType, encodeFields(fields), header);
  }

  /** Sends `message` back with our header, its other header fields kept and its body in tag order (QuickFIX's echo). */
  echo(message: FixMessage): number {
    const { body, header } = echoOf(message);
    return this.sendRaw(message.msgType, body, header);
  }

  /** A framed message arrived. */
  receive(raw: string): void {
    let message: FixMessage;
    try {
      message = parseMessage(raw);
    } catch (err) {
      if (!(err instanceof GarbledMessageError)) throw err;
      this.logger.warn({ reason: err.message, message: raw.replaceAll('\x01', '|') }, 'garbled message ignored');
      if (peekMsgType(raw) === MsgType.Logon || !this.isLoggedOn) this.disconnect('invalid message before logon');
      return;
    }
    this.next(message, false);
  }

  /** The connection closed under us. */
  transportClosed(): void {
    this.disconnect('connection closed', false);
  }

  /** Heartbeat, TestRequest and timeout checks; call every few hundred ms. */
  tick(): void {
    if (!this.transport) return;
    const now = this.now();
    if (!this.receivedLogon) {
      const since = this.sentLogon ? this.lastReceivedMs : this.attachedMs;
      if (now - since >= this.logonTimeoutMs) this.disconnect('timed out waiting for logon');
      return;
    }
    if (this.heartbeatIntervalS === 0) return;
    if (this.sentLogout && now - this.lastSentMs >= this.logoutTimeoutMs) {
      this.disconnect('timed out waiting for logout response');
      return;
    }
    const hb = this.heartbeatIntervalS * 1000;
    const sinceSent = now - this.lastSentMs;
    const sinceReceived = now - this.lastReceivedMs;
    if (sinceSent < hb && sinceReceived < hb) return;
    if (sinceReceived >= 2.4 * hb) {
      this.disconnect('timed out waiting for heartbeat');
    } else if (sinceReceived >= 1.2 * (this.testRequests + 1) * hb) {
      this.sendRaw(MsgType.TestRequest, '112=TEST\x01');
      this.testRequests++;
    } else if (sinceSent >= hb && this.testRequests === 0) {
      this.sendRaw(MsgType.Heartbeat, '');
    }
  }

  /** Closes the connection (after flushing what is queued for it). */
  disconnect(reason: string, closeTransport = true): void {
    const transport = this.transport;
    if (transport) {
      this.logger.info({ reason }, 'disconnecting');
      if (closeTransport) this.flushOut();
      this.transport = undefined;
      if (closeTransport) transport.end();
    }
    if (this.receivedLogon || this.sentLogon) {
      this.receivedLogon = false;
      this.sentLogon = false;
      this.application?.onLogout?.(this);
    }
    this.sentLogout = false;
    this.receivedReset = false;
    this.sentReset = false;
    this.queue.clear();
    this.resendRange = undefined;
    this.out = '';
    if (transport) this.emit('disconnect', reason);
  }

  private next(message: FixMessage, queued: boolean): void {
    const msgType = message.msgType;
    this.dispatch(message, msgType);
    if (!queued) this.nextQueued();
    if (this.isLoggedOn) this.tick();
  }

  private dispatch(message: FixMessage, msgType: string): void {
    for (const tag of [Tag.SenderCompID, Tag.TargetCompID]) {
      if (!message.has(tag)) {
        if (isAdminMsgType(msgType)) {
          this.generateReject(message, SessionRejectReason.RequiredTagMissing, tag);
          if (msgType === MsgType.Logon) this.disconnect('required field missing from logon');
        } else {
          this.generateBusinessReject(message, BusinessRejectReason.ConditionallyRequiredFieldMissing, tag);
        }
        return;
      }
    }
    if (message.values[0] !== fix44.beginString) {
      if (msgType === MsgType.Logout) {
        this.nextLogout(message);
      } else {
        this.generateLogout('Incorrect BeginString');
        this.incrTarget();
      }
      return;
    }
    const violation = validateMessage(message);
    if (violation) {
      this.logger.warn({ msgType, seqNum: message.get(34), ...violation }, 'message rejected');
      this.generateReject(message, violation.reason, violation.tag);
      if (msgType === MsgType.Logon) this.disconnect('invalid logon');
      return;
    }
    switch (msgType) {
      case MsgType.Logon: return this.nextLogon(message);
      case MsgType.Heartbeat: return this.nextHeartbeat(message);
      case MsgType.TestRequest: return this.nextTestRequest(message);
      case MsgType.SequenceReset: return this.nextSequenceReset(message);
      case MsgType.Logout: return this.nextLogout(message);
      case MsgType.ResendRequest: return this.nextResendRequest(message);
      case MsgType.Reject: return this.nextReject(message);
      default: return this.nextApp(message);
    }
  }

  private nextApp(message: FixMessage): void {
    if (!this.verify(message, true, true)) return;
    try {
      if (!this.application) throw FixRejectError.unsupportedMessageType();
      this.application.fromApp(message, this);
    } catch (err) {
      if (err instanceof FixRejectError && err.level === 'session') {
        this.generateReject(message, err.reason, err.tag);
      } else if (err instanceof FixRejectError) {
        this.generateBusinessReject(message, err.reason, err.tag, err.text);
      } else {
        this.logger.error({ err, msgType: message.msgType }, 'application failed on a message');
        this.generateBusinessReject(message, BusinessRejectReason.Other, undefined, 'application error');
      }
      return;
    }
    this.incrTarget();
  }

  private nextLogon(logon: FixMessage): void {
    const resetFlag = logon.get(Tag.ResetSeqNumFlag) === 'Y';
    this.receivedReset = resetFlag;
    if (resetFlag && !this.sentReset) this.store.reset();
    if (this.initiator && !this.sentLogon && !resetFlag) {
      this.disconnect('received logon response before sending request');
      return;
    }
    if (!this.initiator && this.resetOnLogon) this.store.reset();
    if (!this.verify(logon, false, true)) return;
    this.receivedLogon = true;
    if (!this.initiator || (this.receivedReset && !this.sentReset)) {
      this.heartbeatIntervalS = Number(logon.get(Tag.HeartBtInt));
      const fields: Array<[number, FixValue]> = [[Tag.EncryptMethod, 0], [Tag.HeartBtInt, logon.get(Tag.HeartBtInt)!]];
      if (this.receivedReset) fields.push([Tag.ResetSeqNumFlag, 'Y']);
      this.sendRaw(MsgType.Logon, encodeFields(fields));
      this.sentLogon = true;
    }
    this.sentReset = false;
    this.receivedReset = false;
    if (logon.seqNum > this.store.nextTargetSeqNum && !resetFlag) {
      this.doTargetTooHigh(logon);
    } else {
      this.incrTarget();
      this.nextQueued();
    }
    if (this.isLoggedOn) {
      this.logger.info({ nextSenderSeqNum: this.nextSenderSeqNum, nextTargetSeqNum: this.nextTargetSeqNum }, 'logged on');
      this.application?.onLogon?.(this);
      this.emit('logon');
    }
  }

  private nextHeartbeat(message: FixMessage): void {
    if (!this.verify(message, true, true)) return;
    this.incrTarget();
    this.nextQueued();
  }

  private nextTestRequest(message: FixMessage): void {
    if (!this.verify(message, true, true)) return;
    this.sendRaw(MsgType.Heartbeat, `112=${message.get(Tag.TestReqID)}\x01`);
    this.incrTarget();
    this.nextQueued();
  }

  private nextLogout(message: FixMessage): void {
    if (!this.verify(message, false, false)) return;
    if (!this.sentLogout) this.generateLogout();
    this.incrTarget();
    this.disconnect('logout');
  }

  private nextReject(message: FixMessage): void {
    if (!this.verify(message, false, true)) return;
    this.logger.warn({ refSeqNum: message.get(Tag.RefSeqNum), text: message.get(Tag.Text) }, 'counterparty rejected a message');
    this.incrTarget();
    this.application?.onSessionReject?.(message, this);
    this.nextQueued();
  }

  private nextSequenceReset(message: FixMessage): void {
    const gapFill = message.get(Tag.GapFillFlag) === 'Y';
    if (!this.verify(message, gapFill, gapFill)) return;
    const newSeqNo = parseDigits(message.get(Tag.NewSeqNo) ?? '');
    if (newSeqNo > this.store.nextTargetSeqNum) this.store.setNextTargetSeqNum(newSeqNo);
    else if (newSeqNo < this.store.nextTargetSeqNum) this.generateReject(message, SessionRejectReason.ValueIsIncorrect);
  }

  private nextResendRequest(message: FixMessage): void {
    if (!this.verify(message, false, false)) return;
    const begin = parseDigits(message.get(Tag.BeginSeqNo) ?? '');
    let end = parseDigits(message.get(Tag.EndSeqNo) ?? '');
    const nextSender = this.store.nextSenderSeqNum;
    if (end === 0 || end >= nextSender) end = nextSender - 1;
    this.logger.info({ begin, end }, 'resending');
    resendFromStore(this.store.get(begin, end), begin, end, nextSender, {
      gapFill: (from, to) => this.sendGapFill(from, to),
      resend: (raw) => this.write(this.resendMessage(raw)),
    });
    const seq = message.seqNum;
    if (seq === this.store.nextTargetSeqNum) this.incrTarget();
  }

  /** The checks every message passes before it is acted on (QuickFIX's Session::verify). */
  private verify(message: FixMessage, checkTooHigh: boolean, checkTooLow: boolean): boolean {
    const msgType = message.msgType;
    if (!this.validLogonState(msgType)) {
      this.disconnect(`logon state is not valid for message type ${msgType}`);
      return false;
    }
    const sendingTime = parseUtcTimestamp(message.get(Tag.SendingTime) ?? '');
    if (this.maxLatencyS > 0 && Math.abs(Math.floor(this.now() / 1000) - Math.floor(sendingTime / 1000)) > this.maxLatencyS) {
      if (this.generateReject(message, SessionRejectReason.SendingTimeAccuracyProblem)) this.generateLogout();
      else this.disconnect('SendingTime accuracy problem before logon');
      return false;
    }
    if (message.get(Tag.SenderCompID) !== this.targetCompId || message.get(Tag.TargetCompID) !== this.senderCompId) {
      if (this.generateReject(message, SessionRejectReason.CompIdProblem)) this.generateLogout();
      else this.disconnect('CompID problem before logon');
      return false;
    }
    const seq = message.seqNum;
    const expected = this.store.nextTargetSeqNum;
    if (checkTooHigh && seq > expected) {
      this.doTargetTooHigh(message);
      return false;
    }
    if (checkTooLow && seq < expected) {
      this.doTargetTooLow(message, seq, expected);
      return false;
    }
    if ((checkTooHigh || checkTooLow) && this.resendRange && seq >= this.resendRange[1]) {
      this.logger.info({ range: this.resendRange }, 'resend request satisfied');
      this.resendRange = undefined;
    }
    this.lastReceivedMs = this.now();
    this.testRequests = 0;
    return true;
  }

  private validLogonState(msgType: string): boolean {
    if ((msgType === MsgType.Logon && this.sentReset) || this.receivedReset) return true;
    if ((msgType === MsgType.Logon && !this.receivedLogon) || (msgType !== MsgType.Logon && this.receivedLogon)) return true;
    if (msgType === MsgType.Logout && this.sentLogon) return true;
    if (msgType !== MsgType.Logout && this.sentLogout) return true;
    return msgType === MsgType.SequenceReset || msgType === MsgType.Reject;
  }

  private doTargetTooHigh(message: FixMessage): void {
    const seq = message.seqNum;
    this.logger.info({ expected: this.store.nextTargetSeqNum, received: seq }, 'MsgSeqNum too high');
    this.queue.set(seq, message);
    if (this.resendRange && seq >= this.resendRange[0]) return;
    const begin = this.store.nextTargetSeqNum;
    this.sendRaw(MsgType.ResendRequest, `7=${begin}\x0116=0\x01`);
    this.resendRange = [begin, seq - 1];
  }

  private doTargetTooLow(message: FixMessage, seq: number, expected: number): void {
    if (message.get(Tag.PossDupFlag) !== 'Y') {
      const text = `MsgSeqNum too low, expecting ${expected} but received ${seq}`;
      this.generateLogout(text);
      this.disconnect(text);
      return;
    }
    if (message.msgType === MsgType.SequenceReset) return;
    const orig = message.get(Tag.OrigSendingTime);
    if (orig === undefined) {
      if (!this.generateReject(message, SessionRejectReason.RequiredTagMissing, Tag.OrigSendingTime)) this.disconnect('reject before logon');
      return;
    }
    if (parseUtcTimestamp(orig) > parseUtcTimestamp(message.get(Tag.SendingTime) ?? '')) {
      if (this.generateReject(message, SessionRejectReason.SendingTimeAccuracyProblem)) this.generateLogout();
      else this.disconnect('reject before logon');
    }
  }

  private nextQueued(): void {
    for (;;) {
      const expected = this.store.nextTargetSeqNum;
      const message = this.queue.get(expected);
      if (!message) return;
      this.queue.delete(expected);
      if (message.msgType === MsgType.Logon || message.msgType === MsgType.ResendRequest) this.incrTarget();
      else this.next(message, true);
      if (!this.transport) return;
    }
  }

  private incrTarget(): void {
    this.store.setNextTargetSeqNum(this.store.nextTargetSeqNum + 1);
  }

  /** A Reject (35=3); false when not logged on, where FIX allows no reject (the caller disconnects instead). */
  private generateReject(message: FixMessage, reason: number, tag?: number): boolean {
    const msgType = message.msgType;
    if (msgType !== MsgType.Logon && msgType !== MsgType.SequenceReset && message.seqNum === this.store.nextTargetSeqNum) this.incrTarget();
    if (!this.receivedLogon) return false;
    const { body, header } = sessionReject(message, reason, tag);
    this.sendRaw(MsgType.Reject, body, header);
    return true;
  }

  private generateBusinessReject(message: FixMessage, reason: number, tag?: number, text?: string): void {
    this.incrTarget();
    this.sendRaw(MsgType.BusinessMessageReject, businessReject(message, reason, tag, text));
  }

  private generateLogout(text?: string): void {
    this.sendRaw(MsgType.Logout, text ? `58=${text}\x01` : '');
    this.sentLogout = true;
  }

  private sendGapFill(beginSeqNo: number, newSeqNo: number): void {
    const now = formatUtcTimestamp(this.now());
    const raw = this.encoder.encode(MsgType.SequenceReset, beginSeqNo, now, `36=${newSeqNo}\x01123=Y\x01`,
      [[Tag.PossDupFlag, 'Y'], [Tag.OrigSendingTime, now]]);
    this.lastSentMs = this.now();
    this.write(raw);
  }

  /** A stored message again, with PossDupFlag=Y, OrigSendingTime = its SendingTime and a fresh SendingTime. */
  private resendMessage(raw: string): string {
    const stored = parseMessage(raw);
    const { body, header } = possibleDuplicate(stored);
    this.lastSentMs = this.now();
    return this.encoder.encode(stored.msgType, stored.seqNum, formatUtcTimestamp(this.now()), body, header);
  }

  /** Stores and sends one message with the next MsgSeqNum; -1 when an application message cannot be sent. */
  private sendRaw(msgType: string, body: string, header?: FixFields): number {
    const admin = isAdminMsgType(msgType);
    if (!admin && !this.isLoggedOn && this.resetOnLogon && this.store.nextSenderSeqNum === 1 && this.store.nextTargetSeqNum === 1) return -1;
    const now = this.now();
    this.lastSentMs = now;
    const seq = this.store.nextSenderSeqNum;
    const raw = this.encoder.encode(msgType, seq, formatUtcTimestamp(now), body, header);
    this.store.set(seq, raw);
    const sendNow = admin
      ? msgType === MsgType.Logon || msgType === MsgType.Logout || msgType === MsgType.ResendRequest || msgType === MsgType.SequenceReset || this.isLoggedOn
      : this.isLoggedOn;
    if (sendNow) this.write(raw);
    return seq;
  }

  private write(raw: string): void {
    if (!this.transport) return;
    this.out += raw;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flushOut());
    }
  }

  private flushOut(): void {
    this.flushScheduled = false;
    this.store.flush();
    if (this.out.length === 0 || !this.transport) return;
    const data = this.out;
    this.out = '';
    this.transport.write(data);
  }
}
