/**
 * A FIX 4.4 acceptor over TCP: one session per counterparty CompID, one connection per session at a time.
 * A connection whose first message is not a Logon for a known, not already connected session is closed without an
 * answer, as FIX prescribes for an unknown or duplicate identity.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../lib/log.js';
import { SOH } from './codec.js';
import { fix44 } from './dictionary.js';
import { MemoryStore } from './message-store.js';
import { FixSession, type FixApplication, type FixSessionOptions } from './session.js';
import { pumpSocket, SocketTransport } from './socket-transport.js';

export interface FixAcceptorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port; read it from `port` after `listen`. */
  port?: number;
  senderCompId: string;
  counterparties: string[];
  application: FixApplication;
  /** Sequence numbers back to 1 at every Logon (default true). */
  resetOnLogon?: boolean;
  /** Sent messages each session keeps for resending (default 1,000,000); older ones are answered with a GapFill. */
  maxStoredMessages?: number;
  /** How long a connection may stay without a Logon. */
  logonTimeoutMs?: number;
  tickIntervalMs?: number;
  session?: Pick<FixSessionOptions, 'maxLatencyS' | 'logoutTimeoutS' | 'clock'>;
  logger?: Logger;
}

export class FixAcceptor {
  readonly sessions: ReadonlyMap<string, FixSession>;
  private readonly ticker: NodeJS.Timeout;

  private constructor(
    private readonly server: Server, private readonly sockets: Set<Socket>, readonly host: string, readonly port: number,
    sessions: Map<string, FixSession>, tickIntervalMs: number,
  ) {
    this.sessions = sessions;
    this.ticker = setInterval(() => {
      for (const s of sessions.values()) s.tick();
    }, tickIntervalMs);
    this.ticker.unref();
  }

  static async listen(options: FixAcceptorOptions): Promise<FixAcceptor> {
    const logger = (options.logger ?? silentLogger).child({ module: 'fix-acceptor' });
    const sessions = new Map<string, FixSession>();
    for (const cp of options.counterparties) {
      sessions.set(cp, new FixSession({
        ...options.session,
        senderCompId: options.senderCompId,
        targetCompId: cp,
        initiator: false,
        store: new MemoryStore(options.maxStoredMessages ?? 1_000_000),
        application: options.application,
        resetOnLogon: options.resetOnLogon ?? true,
        logger,
      }));
    }
    const logonTimeoutMs = options.logonTimeoutMs ?? 10_000;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const transport = new SocketTransport(socket);
      let routed = false;
      const timer = setTimeout(() => {
        if (!routed) socket.destroy();
      }, logonTimeoutMs);
      timer.unref();
      pumpSocket(transport, (first) => {
        const header = readHeader(first);
        const session = header && header[35] === 'A' && header[8] === fix44.beginString && header[56] === options.senderCompId
          ? sessions.get(header[49] ?? '') : undefined;
        if (!session || session.isConnected) {
          logger.warn({ remote: socket.remoteAddress, message: first.replaceAll(SOH, '|') }, 'connection refused: no such session, or it is connected already');
          return undefined;
        }
        routed = true;
        clearTimeout(timer);
        session.attach(transport);
        return session;
      });
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const acceptor = new FixAcceptor(server, sockets, host, (server.address() as AddressInfo).port, sessions, options.tickIntervalMs ?? 250);
    logger.info({ host, port: acceptor.port, counterparties: options.counterparties }, 'FIX acceptor listening');
    return acceptor;
  }

  /** Logs every session out (waiting up to `timeoutMs` for the answers), then closes all connections. */
  async close(timeoutMs = 2_500): Promise<void> {
    const server = this.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const loggedOn = [...this.sessions.values()].filter((s) => s.isLoggedOn);
    await Promise.all(loggedOn.map((s) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        s.disconnect('shutdown: no logout answer');
        resolve();
      }, timeoutMs);
      s.once('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
      s.logout('venue shutting down');
    })));
    for (const s of this.sessions.values()) if (s.isConnected) s.disconnect('shutdown');
    clearInterval(this.ticker);
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** The leading header fields (BeginString, BodyLength, MsgType first, in that order), or undefined if malformed. */
function readHeader(raw: string): Record<number, string> | undefined {
  const out: Record<number, string> = {};
  let pos = 0;
  for (let count = 0; pos < raw.length; count++) {
    const eq = raw.indexOf('=', pos);
    const end = raw.indexOf(SOH, eq + 1);
    if (eq < 0 || end < 0) return undefined;
    const tag = Number(raw.slice(pos, eq));
    if (count < 3 && tag !== [8, 9, 35][count]) return undefined;
    if (count >= 3 && !fix44.isHeaderField(tag)) break;
    out[tag] ??= raw.slice(eq + 1, end);
    pos = end + 1;
  }
  return out;
}
