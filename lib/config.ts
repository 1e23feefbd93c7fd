/**
 * Configuration from flags and environment, parsed in one place with zod. Flags win over env, env over defaults.
 * A bad value is a UsageError naming the flag (or variable) and what is wrong, so the CLI exits 2.
 */
import { z } from 'zod';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

export const pipelineTopics = ['trades', 'orders', 'executions', 'positions', 'treasury.deals', 'ref.instruments', 'ref.counterparties', 'ref.fx_rates', 'trades.dead_letter'] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').refine((d) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}, 'is not a real date');

export const configSchema = z.object({
  lake: z.string().min(1),
  businessDate: isoDate,
  format: z.enum(['table', 'csv', 'json']),
  kafkaBrokers: z.array(z.string().regex(/^[^\s,]+:\d+$/, 'must be host:port')).nonempty().optional(),
  eventLogDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type Config = z.infer<typeof configSchema>;

/** Which flag or variable each field comes from, for error messages. */
const origins: Record<keyof Config, string> = {
  lake: '--lake / LAKE_URI', businessDate: '--business-date', format: '--format',
  kafkaBrokers: '--brokers / KAFKA_BROKERS', eventLogDir: '--event-log / EVENT_LOG_DIR', logLevel: '--log-level / LOG_LEVEL',
};

export interface ConfigFlags {
  lake?: string;
  'business-date'?: string;
  format?: string;
  brokers?: string;
  'event-log'?: string;
  'log-level'?: string;
}

export function isS3Uri(uri: string): boolean {
  return uri.startsWith('s3://');
}

/** The lake's local directory, or null for an S3 lake. */
export function localLakeDir(lake: string): string | null {
  if (isS3Uri(lake)) return null;
  return resolve(lake.startsWith('file://') ? new URL(lake).pathname : lake);
}

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Config {
  const lake = flags.lake ?? env.LAKE_URI ?? './lake';
  const brokers = flags.brokers ?? env.KAFKA_BROKERS;
  const lakeDir = localLakeDir(lake);
  const raw = {
    lake,
    businessDate: flags['business-date'] ?? now.toISOString().slice(0, 10),
    format: flags.format ?? 'table',
    kafkaBrokers: brokers === undefined || brokers.trim() === '' ? undefined : brokers.split(',').map((b) => b.trim()).filter(Boolean),
    eventLogDir: flags['event-log'] ?? env.EVENT_LOG_DIR ?? (lakeDir === null ? resolve('eventlog') : resolve(lakeDir, '_eventlog')),
    logLevel: flags['log-level'] ?? env.LOG_LEVEL ?? 'info',
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0]) as keyof Config;
    const value = raw[field];
    throw new UsageError(`${origins[field] ?? field}: ${JSON.stringify(Array.isArray(value) ? value.join(',') : value)} ${issue.message}`);
  }
  return parsed.data;
}
