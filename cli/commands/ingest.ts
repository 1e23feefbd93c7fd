import { commonHelp, commonOptions, intOption, listOption, parse } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';
import { formatRows } from '../../sql/format-rows.js';

const help = `Usage: lakehouse ingest --source file:<path> | kafka | eventlog [options]

Lands records into bronze exactly once. A record file (JSON Lines, one Kafka record per line) is identified by
its content hash and line numbers, a bus record by topic, partition and offset: re-running lands nothing twice.

Sources:
  file:<path>     a record file; lines that cannot be decoded go to bronze.dead_letter
  kafka           the brokers in --brokers or KAFKA_BROKERS, as a consumer group
  eventlog        the embedded event log (--event-log, default <lake>/_eventlog)

Options:
  --source <src>             where to read (required)
  --stream                   keep consuming; without it, stop once caught up (bus sources)
  --brokers <h:p,...>        Kafka bootstrap servers (env KAFKA_BROKERS)
  --event-log <dir>          embedded event log directory (env EVENT_LOG_DIR)
  --topics <a,b,...>         topics to consume (default: the pipeline's topics that exist)
  --group <id>               consumer group (default lakehouse-bronze)
  --max-batch-rows <n>       rows per micro-batch (default 25000 from a bus, 100000 from a file)
  --max-batch-bytes <n>      staged bytes (payloads, keys, headers) per micro-batch (default 32 MiB from a bus, 64 MiB from a file)
  --flush-interval-ms <n>    longest a record waits before its batch lands (default 1000)
  --max-record-bytes <n>     longest record-file line accepted (default 1048576); longer lines are dead-lettered
  --session-timeout-ms <n>   consumer group session timeout (Kafka; default 10000)
  --heartbeat-interval-ms <n> consumer group heartbeat interval (Kafka; default 1000)
${commonHelp}`;

const options = {
  ...commonOptions,
  source: { type: 'string' },
  stream: { type: 'boolean' },
  brokers: { type: 'string' },
  'event-log': { type: 'string' },
  topics: { type: 'string' },
  group: { type: 'string' },
  'max-batch-rows': { type: 'string' },
  'max-batch-bytes': { type: 'string' },
  'flush-interval-ms': { type: 'string' },
  'max-record-bytes': { type: 'string' },
  'session-timeout-ms': { type: 'string' },
  'heartbeat-interval-ms': { type: 'string' },
} as const;

export const ingestCommand = {
  summary: 'land records into bronze',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const source = values.source;
    if (source === undefined) throw new UsageError('ingest: --source is required (file:<path>, kafka or eventlog)');
    const isFile = source.startsWith('file:');
    if (!isFile && source !== 'kafka' && source !== 'eventlog') throw new UsageError(`ingest: unknown --source ${JSON.stringify(source)}: use file:<path>, kafka or eventlog`);
    if (isFile && source.length === 5) throw new UsageError('ingest: --source file: needs a path, e.g. file:records.jsonl');
    // Bus batches are smaller: a batch lands while the next one fills, and smaller ones overlap better (bench/ingest.ts).
    const batch = {
      maxBatchRows: intOption(values['max-batch-rows'], '--max-batch-rows', isFile ? 100_000 : 25_000),
      maxBatchBytes: intOption(values['max-batch-bytes'], '--max-batch-bytes', isFile ? 64 << 20 : 32 << 20),
    };
    const maxRecordBytes = intOption(values['max-record-bytes'], '--max-record-bytes', 1_048_576);
    const flushIntervalMs = intOption(values['flush-interval-ms'], '--flush-interval-ms', 1_000);
    const ctx = createContext(values);
    if (source === 'kafka' && ctx.config.kafkaBrokers === undefined) throw new UsageError('ingest --source kafka: no brokers: set --brokers or KAFKA_BROKERS (or use --source eventlog for the embedded log)');

    const { BronzeWriter } = await import('../../bronze/bronze-writer.js');
    const writer = await BronzeWriter.open({ store: ctx.store, logger: ctx.logger, maxRecordBytes });
    const { withRunLog } = await import('../../metrics/run-log.js');
    const { ingestRunOutcome } = await import('../../metrics/run-outcomes.js');
    const bronzeBefore = writer.version;
    const logged = <T extends Parameters<typeof ingestRunOutcome>[0]>(job: () => Promise<T>) =>
      withRunLog(ctx.store, { layer: 'ingest', trigger: values.stream ? 'stream' : 'cli', businessDate: ctx.config.businessDate, logger: ctx.logger },
        job, (s) => ingestRunOutcome(s, { source, bronzeBefore, bronzeAfter: writer.version }));
    try {
      if (isFile) {
        const { ingestFile } = await import('../../ingest/file-ingest.js');
        const summary = await logged(() => ingestFile({ path: source.slice(5), writer, logger: ctx.logger, maxRecordBytes, ...batch }));
        printSummary(ctx.out, ctx.config.format, summary);
        return 0;
      }
      const { openBus } = await import('../../bus/open-bus.js');
      const { ingestBus } = await import('../../ingest/bus-ingest.js');
      const bus = openBus({ kafkaBrokers: source === 'kafka' ? ctx.config.kafkaBrokers : undefined, eventLogDir: ctx.config.eventLogDir, logger: ctx.logger });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const summary = await logged(() => ingestBus({
          bus, writer, topics: listOption(values.topics), groupId: values.group, stream: values.stream ?? false,
          flushIntervalMs, signal: abort.signal, logger: ctx.logger, ...batch,
          sessionTimeoutMs: values['session-timeout-ms'] === undefined ? undefined : intOption(values['session-timeout-ms'], '--session-timeout-ms', 10_000),
          heartbeatIntervalMs: values['heartbeat-interval-ms'] === undefined ? undefined : intOption(values['heartbeat-interval-ms'], '--heartbeat-interval-ms', 1_000),
        }));
        printSummary(ctx.out, ctx.config.format, summary);
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await bus.close();
      }
    } finally {
      writer.close();
      await ctx.store.close();
    }
  },
};

/** The summary as one JSON object (CONTRACT.md section 1), or as a one-row table or CSV. */
function printSummary(out: (s: string) => void, format: string, summary: object): void {
  if (format === 'json') out(`${JSON.stringify(summary)}\n`);
  else out(formatRows(Object.keys(summary).map((name) => ({ name })), [summary as Record<string, unknown>], format === 'csv' ? 'csv' : 'table'));
}
