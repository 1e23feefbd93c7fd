/**
 * The initiator side of a FIX 4.4 session over TCP, for the EMS to reach a venue:
 *
 *   const venue = await connectFix({ host: '127.0.0.1', port: 9878, senderCompId: 'EMS', targetCompId: 'VENUE1',
 *                                    storeDir: '.lakehouse/fix', onMessage: (m) => { if (m.msgType === '8') ... } });
 *   const seqNum = venue.send('D', [[11, 'ord-1'], [21, '1'], [55, 'AAPL'], [54, '1'], [60, transactTime],
 *                                   [38, 100], [40, '2'], [44, '190.10']]);
 *   await venue.logout();
 *
 * - `send(msgType, fields)` takes body fields in wire order (values as FIX text; pass prices as strings) and returns the
 *   MsgSeqNum; the session adds the header and trailer. It throws a TransientError while not logged on.
 * - Application messages arrive in sequence, validated, on `onMessage` and the 'message' event; gaps are recovered
 *   (ResendRequest) before they are delivered, duplicates (PossDupFlag) already seen are dropped.
 * - With `storeDir` the sequence numbers and sent messages are journaled on disk: a new FixInitiator on the same
 *   directory (after a restart) logs on with the next sequence number and can answer a ResendRequest for what the
 *   previous process sent. Without it they live as long as this object (`connect` again after a disconnect resumes).
 * - A session-level Reject (35=3) of something we sent arrives on the 'reject' event (RefSeqNum 45, reason 373, tag 371);
 *   a BusinessMessageReject (35=j) is an application message like any other.
 * - 'logon' and 'disconnect' events report the session state; `logout()` resolves once the connection is closed.
 *   `close()` drops the connection without a Logout and closes the store: the object is done with.
 */
import { EventEmitter } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { TransientError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import type { FixFields, FixMessage } from './codec.js';
import { FileStore, MemoryStore } from './message-store.js';
import { FixSession, type FixSessionOptions } from './session.js';
import { pumpSocket, SocketTransport } from './socket-transport.js';

export interface ConnectFixOptions {
  host: string;
  port: number;
  senderCompId: string;
  targetCompId: string;
  /** HeartBtInt proposed in the Logon (default 30). */
  heartbeatIntervalS?: number;
  /** Directory of the sequence-number and sent-message journal; omitted: kept in memory. */
  storeDir?: string;
  /** Start every Logon from sequence number 1 with ResetSeqNumFlag=Y (default false: resume). */
  resetOnLogon?: boolean;
  /** How long `connect` waits for the Logon answer (default 10 s). */
  logonTimeoutMs?: number;
  onMessage?: (message: FixMessage) => void;
  logger?: Logger;
  session?: Pick<FixSessionOptions, 'maxLatencyS' | 'logoutTimeoutS' | 'clock'>;
}

export class FixInitiator extends EventEmitter<{ message: [FixMessage]; reject: [FixMessage]; logon: []; disconnect: [reason: string] }> {
  readonly session: FixSession;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConnectFixOptions) {
    super();
    const store = options.storeDir ? FileStore.open(options.storeDir, options.senderCompId, options.targetCompId) : new MemoryStore();
    this.session = new FixSession({
      ...options.session,
      senderCompId: options.senderCompId,
      targetCompId: options.targetCompId,
      initiator: true,
      store,
      heartbeatIntervalS: options.heartbeatIntervalS ?? 30,
      resetOnLogon: options.resetOnLogon ?? false,
      logonTimeoutS: (options.logonTimeoutMs ?? 10_000) / 1000,
      logger: (options.logger ?? silentLogger).child({ module: 'fix-initiator' }),
      application: {
        fromApp: (message) => {
          options.onMessage?.(message);
          this.emit('message', message);
        },
        onSessionReject: (reject) => this.emit('reject', reject),
      },
    });
    this.session.on('logon', () => this.emit('logon'));
    this.session.on('disconnect', (reason) => {
      clearInterval(this.ticker);
      this.emit('disconnect', reason);
    });
  }

  get loggedOn(): boolean {
    return this.session.isLoggedOn;
  }

  /** Opens the connection and logs on; rejects if the connection fails or closes before the Logon answer. */
  connect(): Promise<void> {
    if (this.session.isConnected) return Promise.reject(new Error(`${this.options.senderCompId}->${this.options.targetCompId} is connected already`));
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port, noDelay: true });
      const fail = (err: Error): void => {
        this.session.off('logon', onLogon);
        this.session.off('disconnect', onDisconnect);
        reject(err);
      };
      const onLogon = (): void => {
        this.session.off('disconnect', onDisconnect);
        resolve();
      };
      const onDisconnect = (reason: string): void => fail(new TransientError(`FIX logon failed: ${reason}`, { host, port }));
      socket.once('error', (err) => {
        if (!this.session.isConnected) fail(new TransientError(`FIX connection failed: ${err.message}`, { host, port }, err));
      });
      socket.once('connect', () => {
        const transport = new SocketTransport(socket);
        this.session.attach(transport);
        this.session.once('logon', onLogon);
        this.session.once('disconnect', onDisconnect);
        pumpSocket(transport, this.session);
        this.ticker = setInterval(() => this.session.tick(), 250);
        this.ticker.unref();
        this.session.logon();
      });
    });
  }

  /** Sends an application (or session) message; returns its MsgSeqNum. */
  send(msgType: string, fields: FixFields): number {
    if (!this.session.isLoggedOn) throw new TransientError('FIX session is not logged on', { sender: this.options.senderCompId, target: this.options.targetCompId });
    return this.session.send(msgType, fields);
  }

  /** Sends Logout and resolves when the connection is closed (the answer came, or the logout timeout passed). */
  logout(text?: string): Promise<void> {
    if (!this.session.isConnected) return Promise.resolve();
    return new Promise((resolve) => {
      this.session.once('disconnect', () => resolve());
      this.session.logout(text);
    });
  }

  /** Drops the connection without a Logout and closes the store; connect a new FixInitiator after this. */
  close(): void {
    if (this.session.isConnected) this.session.disconnect('closed');
    clearInterval(this.ticker);
    this.session.store.close();
  }
}

/** A `FixInitiator`, connected and logged on. */
export async function connectFix(options: ConnectFixOptions): Promise<FixInitiator> {
  const initiator = new FixInitiator(options);
  try {
    await initiator.connect();
  } catch (err) {
    initiator.close();
    throw err;
  }
  return initiator;
}
