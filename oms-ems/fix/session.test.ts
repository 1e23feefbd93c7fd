import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixAcceptor } from './acceptor.js';
import { FixEncoder, FixFramer, parseMessage, type FixFields, type FixMessage } from './codec.js';
import { createEchoApplication } from './echo-app.js';
import { connectFix, FixInitiator } from './initiator.js';
import { formatUtcTimestamp } from './utc-timestamp.js';

/** The other side of a session, scripted message by message over a real socket. */
class Peer {
  private readonly framer = new FixFramer();
  private readonly inbox: FixMessage[] = [];
  private waiter: (() => void) | undefined;
  closed = false;
  seq = 1;
  readonly encoder: FixEncoder;

  constructor(readonly socket: Socket, senderCompId: string, targetCompId: string) {
    this.encoder = new FixEncoder('FIX.4.4', senderCompId, targetCompId);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      for (let raw = this.framer.next(); raw !== undefined; raw = this.framer.next()) this.inbox.push(parseMessage(raw));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Encodes and sends with the next sequence number (or `seq`); returns the wire text. */
  send(msgType: string, body: FixFields, options: { seq?: number; header?: FixFields; sendingTime?: string } = {}): string {
    const seq = options.seq ?? this.seq++;
    const text = body.map(([t, v]) => `${t}=${v}\x01`).join('');
    const raw = this.encoder.encode(msgType, seq, options.sendingTime ?? formatUtcTimestamp(Date.now()), text, options.header);
    this.socket.write(raw, 'latin1');
    return raw;
  }

  sendRaw(raw: string): void {
    this.socket.write(raw, 'latin1');
  }

  async next(timeoutMs = 5_000): Promise<FixMessage> {
    const until = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (this.closed) throw new Error('peer connection closed while waiting for a message');
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.inbox.shift()!;
  }

  async closedWithin(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`still connected after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Nothing arrives for `ms`. */
  async quietFor(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    expect(this.inbox.map(String)).toEqual([]);
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A scripted acceptor: our initiator connects to it. */
async function peerAcceptor(): Promise<{ port: number; accept(): Promise<Peer> }> {
  const sockets: Socket[] = [];
  const waiting: Array<(s: Socket) => void> = [];
  const server: Server = createServer((s) => {
    const w = waiting.shift();
    if (w) w(s);
    else sockets.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return {
    port: (server.address() as AddressInfo).port,
    accept: async () => {
      const socket = sockets.shift() ?? (await new Promise<Socket>((r) => waiting.push(r)));
      cleanups.push(() => socket.destroy());
      return new Peer(socket, 'VENUE', 'EMS');
    },
  };
}

/** A scripted initiator against one of our acceptors. */
async function peerInitiator(port: number, senderCompId = 'TW', targetCompId = 'ISLD'): Promise<Peer> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  cleanups.push(() => socket.destroy());
  return new Peer(socket, senderCompId, targetCompId);
}

async function echoAcceptor(resetOnLogon = true): Promise<FixAcceptor> {
  const acceptor = await FixAcceptor.listen({ senderCompId: 'ISLD', counterparties: ['TW'], application: createEchoApplication(), resetOnLogon });
  cleanups.push(() => acceptor.close());
  return acceptor;
}

function order(clOrdId: string): FixFields {
  return [[11, clOrdId], [21, '1'], [38, 100], [40, '2'], [44, '10.5'], [54, '1'], [55, 'AAPL'], [60, formatUtcTimestamp(Date.now(), false)]];
}

function collect(fix: FixInitiator): FixMessage[] {
  const got: FixMessage[] = [];
  fix.on('message', (m) => got.push(m));
  return got;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FIX session over TCP', () => {
  it('logs on, exchanges application messages and logs out, counting sequence numbers on both sides', async () => {
    const acceptor = await echoAcceptor();
    const fix = await connectFix({ host: '127.0.0.1', port: acceptor.port, senderCompId: 'TW', targetCompId: 'ISLD' });
    cleanups.push(() => fix.close());
    const got = collect(fix);
    expect(fix.send('D', order('o-1'))).toBe(2);
    expect(fix.send('D', order('o-2'))).toBe(3);
    await until(() => got.length === 2);
    expect(got.map((m) => [m.msgType, m.get(11), m.seqNum])).toEqual([['D', 'o-1', 2], ['D', 'o-2', 3]]);
    await fix.logout();
    expect(fix.loggedOn).toBe(false);
    const session = acceptor.sessions.get('TW')!;
    expect(session.isConnected).toBe(false);
    expect([session.nextTargetSeqNum, session.nextSenderSeqNum]).toEqual([5, 5]);
    expect(() => fix.send('D', order('o-3'))).toThrow(/not logged on/);
  });

  it('tells the initiator when the counterparty rejects one of its messages at session level', async () => {
    const acceptor = await echoAcceptor();
    const fix = await connectFix({ host: '127.0.0.1', port: acceptor.port, senderCompId: 'TW', targetCompId: 'ISLD' });
    cleanups.push(() => fix.close());
    const rejected = new Promise<FixMessage>((resolve) => fix.once('reject', resolve));
    const seq = fix.send('D', order('o-1').filter(([tag]) => tag !== 11));
    const reject = await rejected;
    expect([reject.get(45), reject.get(371), reject.get(372), reject.get(373)]).toEqual([String(seq), '11', 'D', '1']);
    expect(fix.loggedOn).toBe(true);
  });

  it('answers a TestRequest, sends Heartbeats when idle, a TestRequest when the counterparty goes quiet, and then disconnects', async () => {
    const venue = await peerAcceptor();
    const connecting = connectFix({ host: '127.0.0.1', port: venue.port, senderCompId: 'EMS', targetCompId: 'VENUE', heartbeatIntervalS: 1 });
    const peer = await venue.accept();
    const logon = await peer.next();
    expect([logon.msgType, logon.get(108), logon.seqNum]).toEqual(['A', '1', 1]);
    peer.send('A', [[98, 0], [108, 1]]);
    const fix = await connecting;
    cleanups.push(() => fix.close());

    peer.send('1', [[112, 'PING']]);
    const pong = await peer.next();
    expect([pong.msgType, pong.get(112)]).toEqual(['0', 'PING']);

    // While the counterparty keeps talking, an idle initiator only sends Heartbeats.
    const keepAlive = setInterval(() => peer.send('0', []), 300);
    try {
      const heartbeat = await peer.next(3_000);
      expect([heartbeat.msgType, heartbeat.get(112)]).toEqual(['0', undefined]);
    } finally {
      clearInterval(keepAlive);
    }
    const silentSince = Date.now();
    let next = await peer.next(3_000);
    while (next.msgType === '0') next = await peer.next(3_000);
    expect([next.msgType, next.get(112)]).toEqual(['1', 'TEST']);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(800);
    await peer.closedWithin(3_000);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(2_000);
    expect(fix.loggedOn).toBe(false);
  });

  it('asks for a gap with a ResendRequest and delivers the resent messages in order, a GapFill skipping what is not resent', async () => {
    const venue = await peerAcceptor();
    const connecting = connectFix({ host: '127.0.0.1', port: venue.port, senderCompId: 'EMS', targetCompId: 'VENUE' });
    const peer = await venue.accept();
    await peer.next();
    peer.send('A', [[98, 0], [108, 30]]);
    const fix = await connecting;
    cleanups.push(() => fix.close());
    const got = collect(fix);
    const report = (id: string): FixFields => [[6, 0], [11, id], [14, 0], [17, `X${id}`], [37, `O${id}`], [39, '0'], [54, '1'], [150, '0'], [151, 100]];
    const sentAt: Record<number, string> = {};
    peer.send('8', report('2'));
    peer.seq = 5;
    peer.send('8', report('5'));
    const resend = await peer.next();
    expect([resend.msgType, resend.get(7), resend.get(16)]).toEqual(['2', '3', '0']);
    expect(got.map((m) => m.get(11))).toEqual(['2']);

    sentAt[4] = formatUtcTimestamp(Date.now() - 1_000);
    peer.send('4', [[36, 4], [123, 'Y']], { seq: 3, header: [[43, 'Y'], [122, sentAt[4]]] });
    peer.send('8', report('4'), { seq: 4, header: [[43, 'Y'], [122, sentAt[4]]] });
    await until(() => got.length === 3);
    expect(got.map((m) => [m.get(11), m.seqNum])).toEqual([['2', 2], ['4', 4], ['5', 5]]);
    expect(fix.session.nextTargetSeqNum).toBe(6);

    // A possible duplicate of what already arrived is dropped, not delivered twice.
    peer.send('8', report('2'), { seq: 2, header: [[43, 'Y'], [122, sentAt[4]]] });
    peer.seq = 6;
    peer.send('8', report('6'));
    await until(() => got.length === 4);
    expect(got.map((m) => m.get(11))).toEqual(['2', '4', '5', '6']);
  });

  it('answers a ResendRequest with its application messages as possible duplicates and its session messages as a GapFill', async () => {
    const venue = await peerAcceptor();
    const connecting = connectFix({ host: '127.0.0.1', port: venue.port, senderCompId: 'EMS', targetCompId: 'VENUE' });
    const peer = await venue.accept();
    await peer.next();
    peer.send('A', [[98, 0], [108, 30]]);
    const fix = await connecting;
    cleanups.push(() => fix.close());
    fix.send('D', order('a'));
    fix.send('D', order('b'));
    const originals = [await peer.next(), await peer.next()];

    peer.send('2', [[7, 1], [16, 0]]);
    const gapFill = await peer.next();
    expect([gapFill.msgType, gapFill.seqNum, gapFill.get(43), gapFill.get(123), gapFill.get(36)]).toEqual(['4', 1, 'Y', 'Y', '2']);
    for (const original of originals) {
      const again = await peer.next();
      expect([again.msgType, again.seqNum, again.get(11), again.get(43)]).toEqual(['D', original.seqNum, original.get(11), 'Y']);
      expect(again.get(122)).toBe(original.get(52));
      expect(again.tags.slice(3, 9)).toEqual([34, 43, 49, 52, 56, 122]);
    }
    expect(fix.send('D', order('c'))).toBe(4);
    expect((await peer.next()).seqNum).toBe(4);
  });

  it('ignores a message with a wrong CheckSum or BodyLength and takes the good copy under the same sequence number', async () => {
    const acceptor = await echoAcceptor();
    const peer = await peerInitiator(acceptor.port);
    peer.send('A', [[98, 0], [108, 30]]);
    expect((await peer.next()).msgType).toBe('A');

    const testRequest = (id: string, seq: number): string => peer.encoder.encode('1', seq, formatUtcTimestamp(Date.now()), `112=${id}\x01`);
    peer.sendRaw(testRequest('one', 2).replace(/10=\d{3}\x01$/, '10=999\x01'));
    await peer.quietFor(150);
    peer.sendRaw(testRequest('one', 2));
    expect((await peer.next()).get(112)).toBe('one');

    peer.sendRaw(testRequest('two', 3).replace(/\x019=\d+\x01/, '\x019=20\x01'));
    await peer.quietFor(150);
    peer.sendRaw(testRequest('two', 3));
    const answer = await peer.next();
    expect([answer.msgType, answer.get(112), answer.seqNum]).toEqual(['0', 'two', 3]);
    expect(acceptor.sessions.get('TW')!.isLoggedOn).toBe(true);
  });

  it('rejects an invalid message with a session Reject naming reason and tag, and carries on', async () => {
    const acceptor = await echoAcceptor();
    const peer = await peerInitiator(acceptor.port);
    peer.send('A', [[98, 0], [108, 30]]);
    await peer.next();
    peer.send('D', [...order('x'), [9999, 'odd']]);
    const reject = await peer.next();
    expect([reject.msgType, reject.get(45), reject.get(371), reject.get(372), reject.get(373), reject.get(58)]).toEqual(['3', '2', '9999', 'D', '0', 'Invalid tag number']);
    peer.send('D', order('y'));
    const echo = await peer.next();
    expect([echo.msgType, echo.get(11), echo.seqNum]).toEqual(['D', 'y', 3]);
  });

  it('survives junk and hundreds of corrupted messages, ignoring them, and answers the next good message', async () => {
    const acceptor = await echoAcceptor();
    const peer = await peerInitiator(acceptor.port);
    peer.send('A', [[98, 0], [108, 30]]);
    await peer.next();
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const good = (seq: number): string => peer.encoder.encode('D', seq, formatUtcTimestamp(Date.now()), order('z').map(([t, v]) => `${t}=${v}\x01`).join(''));
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(good(2), 'latin1');
      // Corrupt one byte past the MsgType, so the message stays recognisably not a Logon.
      const at = 20 + random(bytes.length - 20);
      bytes[at] = (bytes[at] + 1 + random(254)) & 0xff;
      if (bytes[at] === 1) bytes[at] = 2;
      peer.socket.write(bytes);
      if (i % 50 === 0) peer.socket.write(Buffer.from('garbage without a message start\x01\x01=', 'latin1'));
    }
    await peer.quietFor(200);
    // A corrupted BodyLength may hold the framer for a while: send the good message until it gets through.
    let echo: FixMessage | undefined;
    for (let attempt = 0; attempt < 100 && echo === undefined; attempt++) {
      peer.sendRaw(good(2));
      echo = await peer.next(100).catch(() => undefined);
    }
    expect([echo?.msgType, echo?.get(11), echo?.seqNum]).toEqual(['D', 'z', 2]);
    expect(acceptor.sessions.get('TW')!.isLoggedOn).toBe(true);
  });

  it('logs out and disconnects a counterparty whose MsgSeqNum goes backwards without PossDupFlag', async () => {
    const acceptor = await echoAcceptor();
    const peer = await peerInitiator(acceptor.port);
    peer.send('A', [[98, 0], [108, 30]]);
    await peer.next();
    peer.send('0', []);
    peer.send('0', [], { seq: 2 });
    const logout = await peer.next();
    expect([logout.msgType, logout.get(58)]).toEqual(['5', 'MsgSeqNum too low, expecting 3 but received 2']);
    await peer.closedWithin(2_000);
  });

  it('resumes sequence numbers from the file store after the initiator restarts, with or without a Logout', async () => {
    const acceptor = await echoAcceptor(false);
    const storeDir = mkdtempSync(join(tmpdir(), 'fix-store-'));
    cleanups.push(() => rmSync(storeDir, { recursive: true, force: true }));
    const options = { host: '127.0.0.1', port: acceptor.port, senderCompId: 'TW', targetCompId: 'ISLD', storeDir };

    const first = await connectFix(options);
    const echoes = collect(first);
    first.send('D', order('r-1'));
    first.send('D', order('r-2'));
    await until(() => echoes.length === 2);
    await first.logout();
    first.close();

    const second = await connectFix(options);
    expect([second.session.nextSenderSeqNum, second.session.nextTargetSeqNum]).toEqual([6, 6]);
    const more = collect(second);
    expect(second.send('D', order('r-3'))).toBe(6);
    await until(() => more.length === 1);
    expect(more[0].seqNum).toBe(6);
    second.close(); // a crash: no Logout
    await until(() => !acceptor.sessions.get('TW')!.isConnected);

    const third = await connectFix(options);
    cleanups.push(() => third.close());
    expect(third.session.nextSenderSeqNum).toBe(8);
    const last = collect(third);
    expect(third.send('D', order('r-4'))).toBe(8);
    await until(() => last.length === 1);
    const session = acceptor.sessions.get('TW')!;
    expect([session.nextTargetSeqNum, session.nextSenderSeqNum]).toEqual([9, 9]);
  });

  it('refuses a connection whose Logon names an unknown counterparty, without a word', async () => {
    const acceptor = await echoAcceptor();
    const peer = await peerInitiator(acceptor.port, 'XX');
    peer.send('A', [[98, 0], [108, 30]]);
    await peer.closedWithin(2_000);
    const stranger = new FixInitiator({ host: '127.0.0.1', port: acceptor.port, senderCompId: 'XX', targetCompId: 'ISLD' });
    cleanups.push(() => stranger.close());
    await expect(stranger.connect()).rejects.toThrow(/logon failed/);
  });
});
