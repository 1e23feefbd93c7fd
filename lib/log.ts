import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log line. */
export const redactPaths = [
  'secret', '*.secret', 'password', '*.password', 'token', '*.token',
  'secretAccessKey', '*.secretAccessKey', 'sessionToken', '*.sessionToken',
  'authorization', '*.authorization', '*.headers.authorization', 'sasl', '*.sasl',
  'credentials', '*.credentials', 'config.s3.secretAccessKey', 'config.kafka.sasl',
];

/**
 * The root logger: JSON lines on stderr (stdout is for results), secrets redacted.
 * Modules take a child: `log.child({ module: 'ingest' })`.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    { level, base: { pid: process.pid }, redact: { paths: redactPaths, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
