/** A session's connection: TCP with Nagle off, messages cut by a `FixFramer`. */
import type { Socket } from 'node:net';
import { FixFramer } from './codec.js';
import type { FixSession, FixTransport } from './session.js';

export class SocketTransport implements FixTransport {
  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
  }

  write(data: string): void {
    if (!this.socket.destroyed) this.socket.write(data, 'latin1');
  }

  end(): void {
    this.socket.end();
    // A peer that never closes its side must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 2_000).unref();
  }
}

/**
 * Feeds a socket's bytes to a session until the session leaves this transport. An initiator passes its session
 * (already attached); an acceptor passes `route`, which picks the session from the first message and attaches it, or
 * returns undefined to refuse the connection.
 */
export function pumpSocket(transport: SocketTransport, target: FixSession | ((firstMessage: string) => FixSession | undefined)): void {
  const { socket } = transport;
  const framer = new FixFramer();
  let session: FixSession | undefined = typeof target === 'function' ? undefined : target;
  let closed = false;
  const drop = (): void => {
    closed = true;
    socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    framer.push(chunk);
    for (;;) {
      const raw = framer.next();
      if (raw === undefined) {
        if (framer.dropped && session === undefined) drop();
        // Journal the sequence numbers received in this chunk even if nothing is sent back.
        session?.store.flush();
        return;
      }
      if (session === undefined) {
        session = typeof target === 'function' ? target(raw) : target;
        if (session === undefined) {
          drop();
          return;
        }
      }
      try {
        session.receive(raw);
      } catch (err) {
        // A bug or a failing store must cost this connection, not the process and its other sessions.
        session.logger.error({ err }, 'session failed on a message');
        session.disconnect('internal error');
      }
      if (!session.isAttachedTo(transport)) {
        closed = true;
        return;
      }
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    if (session?.isAttachedTo(transport)) session.transportClosed();
  });
}
