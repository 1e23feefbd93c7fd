/**
 * Where a session keeps its sequence numbers and the messages it sent (for answering a ResendRequest).
 * `MemoryStore` lives as long as the process; `FileStore` is a journal on disk, so an initiator that restarts resumes
 * its sequence numbers and can still resend what it sent before the restart.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';

export interface MessageStore {
  readonly nextSenderSeqNum: number;
  readonly nextTargetSeqNum: number;
  setNextSenderSeqNum(seqNum: number): void;
  setNextTargetSeqNum(seqNum: number): void;
  /** Records a sent message; the next sender sequence number becomes `seqNum + 1`. */
  set(seqNum: number, message: string): void;
  /** Sent messages with `begin <= seqNum <= end`, ascending. */
  get(begin: number, end: number): Array<[number, string]>;
  /** Both sequence numbers back to 1, sent messages forgotten. */
  reset(): void;
  /** Makes what was recorded so far durable before it goes on the wire; a no-op in memory. */
  flush(): void;
  close(): void;
}

export class MemoryStore implements MessageStore {
  protected sent = new Map<number, string>();
  nextSenderSeqNum = 1;
  nextTargetSeqNum = 1;

  /**
   * @param maxMessages sent messages kept for resending; older ones are forgotten, and a ResendRequest for them is
   *   answered with a SequenceReset-GapFill.
   */
  constructor(private readonly maxMessages = Number.POSITIVE_INFINITY) {}

  setNextSenderSeqNum(seqNum: number): void {
    this.nextSenderSeqNum = seqNum;
  }

  setNextTargetSeqNum(seqNum: number): void {
    this.nextTargetSeqNum = seqNum;
  }

  set(seqNum: number, message: string): void {
    this.sent.set(seqNum, message);
    this.nextSenderSeqNum = seqNum + 1;
    if (this.sent.size > this.maxMessages) this.sent.delete(this.sent.keys().next().value!);
  }

  get(begin: number, end: number): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    if (end - begin < this.sent.size) {
      for (let seq = begin; seq <= end; seq++) {
        const m = this.sent.get(seq);
        if (m !== undefined) out.push([seq, m]);
      }
    } else {
      for (const [seq, m] of this.sent) if (seq >= begin && seq <= end) out.push([seq, m]);
      out.sort((a, b) => a[0] - b[0]);
    }
    return out;
  }

  reset(): void {
    this.sent.clear();
    this.nextSenderSeqNum = 1;
    this.nextTargetSeqNum = 1;
  }

  flush(): void {}

  close(): void {}
}

/**
 * An append-only journal `<dir>/<sender>-<target>.journal` of records, written in one `write` per flush:
 * `S<seq> <length>\n<message>\n` for a sent message, `N<seq>\n` for the next sender number when it is set directly,
 * `T<seq>\n` for the next target number. Loading replays it; an incomplete last record (a crash mid-write) is ignored.
 * The session flushes before its output reaches the socket, so nothing is on the wire that the journal lacks.
 */
export class FileStore extends MemoryStore {
  private readonly fd: number;
  private pending = '';
  private journaledTarget: number;

  constructor(readonly path: string) {
    super();
    let text = '';
    try {
      text = readFileSync(path, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.replay(text);
    this.journaledTarget = this.nextTargetSeqNum;
    this.fd = openSync(path, 'a');
  }

  static open(dir: string, senderCompId: string, targetCompId: string): FileStore {
    mkdirSync(dir, { recursive: true });
    return new FileStore(join(dir, `${senderCompId}-${targetCompId}.journal`));
  }

  private replay(text: string): void {
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      const kind = text[pos];
      const line = text.slice(pos + 1, nl);
      if (kind === 'S') {
        const [seq, length] = line.split(' ').map(Number);
        const end = nl + 1 + length;
        if (!(seq > 0) || !(length >= 0) || end >= text.length || text[end] !== '\n') break;
        super.set(seq, text.slice(nl + 1, end));
        pos = end + 1;
        continue;
      }
      const seq = Number(line);
      if (!(seq > 0)) break;
      if (kind === 'N') super.setNextSenderSeqNum(seq);
      else if (kind === 'T') super.setNextTargetSeqNum(seq);
      else break;
      pos = nl + 1;
    }
  }

  override setNextSenderSeqNum(seqNum: number): void {
    super.setNextSenderSeqNum(seqNum);
    this.pending += `N${seqNum}\n`;
  }

  override set(seqNum: number, message: string): void {
    super.set(seqNum, message);
    this.pending += `S${seqNum} ${message.length}\n${message}\n`;
  }

  override reset(): void {
    super.reset();
    this.pending = '';
    this.journaledTarget = 1;
    ftruncateSync(this.fd, 0);
  }

  override flush(): void {
    if (this.nextTargetSeqNum !== this.journaledTarget) {
      this.pending += `T${this.nextTargetSeqNum}\n`;
      this.journaledTarget = this.nextTargetSeqNum;
    }
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending, 'latin1');
    this.pending = '';
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written);
  }

  override close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
