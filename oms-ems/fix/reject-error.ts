import { TerminalError } from '../../lib/errors.js';
import { BusinessRejectReason, businessRejectText, sessionRejectText } from './tags.js';

/**
 * Thrown by an application's `fromApp` to refuse a message: the session answers with a Reject (35=3, `level`
 * 'session') or a BusinessMessageReject (35=j, `level` 'business') carrying `reason` and `tag`, and moves on.
 */
export class FixRejectError extends TerminalError {
  constructor(
    readonly level: 'session' | 'business',
    readonly reason: number,
    readonly tag?: number,
    readonly text?: string,
  ) {
    super(text ?? (level === 'session' ? sessionRejectText[reason] : businessRejectText[reason]) ?? `reject reason ${reason}`, { level, reason, tag });
  }

  static unsupportedMessageType(): FixRejectError {
    return new FixRejectError('business', BusinessRejectReason.UnsupportedMessageType);
  }
}
