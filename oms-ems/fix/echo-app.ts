/**
 * The conformance application QuickFIX's acceptance suite expects behind the acceptor: NewOrderSingle and
 * SecurityDefinition are echoed back, except a PossResend=Y order whose ClOrdID this session has already seen; every
 * other application message gets a BusinessMessageReject (Unsupported Message Type).
 */
import type { FixMessage } from './codec.js';
import { FixRejectError } from './reject-error.js';
import type { FixApplication, FixSession } from './session.js';
import { MsgType, Tag } from './tags.js';

export function createEchoApplication(): FixApplication {
  const seen = new Map<FixSession, Set<string>>();
  return {
    onLogout(session) {
      seen.delete(session);
    },
    fromApp(message: FixMessage, session: FixSession) {
      if (message.msgType === MsgType.NewOrderSingle) {
        const clOrdId = message.get(Tag.ClOrdID) ?? '';
        let ids = seen.get(session);
        if (!ids) seen.set(session, (ids = new Set()));
        if (message.get(Tag.PossResend) === 'Y' && ids.has(clOrdId)) return;
        ids.add(clOrdId);
        session.echo(message);
      } else if (message.msgType === MsgType.SecurityDefinition) {
        session.echo(message);
      } else {
        throw FixRejectError.unsupportedMessageType();
      }
    },
  };
}
