import { commonHelp, commonOptions, intOption, listOption, parse } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse simulate [options]

Drives the trading services (OMS, EMS, venues, trade capture, position keeping, treasury feed, reference data) with
a realistic mix for a bank's treasury book, day by day, deterministic for a seed, and writes every event they emit
to Kafka, the embedded event log or a record file. A share of records is damaged on the wire (malformed, invalid,
duplicated, out of order) and some trades are corrected late, a few with versions out of order.

Options:
  --trades-per-day <n>       trades booked per simulated day (default 2000)
  --days <n>                 days to simulate (default 1)
  --seed <n>                 generator seed (default 42)
  --start-date YYYY-MM-DD    first simulated day (default: --business-date minus --days plus one)
  --entities <id,...>        legal entities (default BANK_A,BANK_B,BANK_C)
  --bad-share <x>            share of records damaged on the wire, 0..1 (default 0.01)
  --correction-share <x>     share of trades corrected later, 0..1 (default 0.005)
  --deals-per-day <n>        new treasury deals per entity per day (default 40)
  --sink <where>             eventlog (default), kafka, or file:<path> (a record file, CONTRACT.md section 2)
  --brokers <h:p,...>        Kafka bootstrap servers for --sink kafka (env KAFKA_BROKERS)
  --event-log <dir>          embedded event log directory (env EVENT_LOG_DIR, default <lake>/_eventlog)
  --partitions <n>           partitions per topic when the embedded log creates them (default 3)
  --workers <n>              threads, each simulating a share of the books (default 1); the events are the same
                             for a seed and a number of workers
${commonHelp}`;

const options = {
  ...commonOptions,
  'trades-per-day': { type: 'string' },
  days: { type: 'string' },
  seed: { type: 'string' },
  'start-date': { type: 'string' },
  entities: { type: 'string' },
  'bad-share': { type: 'string' },
  'correction-share': { type: 'string' },
  'deals-per-day': { type: 'string' },
  sink: { type: 'string' },
  brokers: { type: 'string' },
  'event-log': { type: 'string' },
  partitions: { type: 'string' },
  workers: { type: 'string' },
} as const;

function shareOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) throw new UsageError(`${flag}: ${JSON.stringify(value)} must be a number from 0 to 1`);
  return x;
}

export const simulateCommand = {
  summary: 'simulate trading days and write the services\' events',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const tradesPerDay = intOption(values['trades-per-day'], '--trades-per-day', 2_000);
    const days = intOption(values.days, '--days', 1);
    const seed = intOption(values.seed, '--seed', 42, 0);
    const partitions = intOption(values.partitions, '--partitions', 3);
    const workers = intOption(values.workers, '--workers', 1);
    const dealsPerDay = intOption(values['deals-per-day'], '--deals-per-day', 40, 0);
    const badShare = shareOption(values['bad-share'], '--bad-share', 0.01);
    const correctionShare = shareOption(values['correction-share'], '--correction-share', 0.005);
    const sinkSpec = values.sink ?? 'eventlog';
    if (sinkSpec !== 'eventlog' && sinkSpec !== 'kafka' && !sinkSpec.startsWith('file:')) throw new UsageError(`--sink: ${JSON.stringify(sinkSpec)} must be eventlog, kafka or file:<path>`);
    if (values['start-date'] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values['start-date'])) throw new UsageError(`--start-date: ${JSON.stringify(values['start-date'])} must be YYYY-MM-DD`);
    const entities = listOption(values.entities);
    const badEntity = entities?.find((e) => !/^[A-Z][A-Z0-9_]{1,31}$/.test(e));
    if (badEntity !== undefined) throw new UsageError(`--entities: ${JSON.stringify(badEntity)} is not a legal entity code like BANK_A`);
    const ctx = createContext(values);
    const { config, logger, out } = ctx;
    if (sinkSpec === 'kafka' && config.kafkaBrokers === undefined) throw new UsageError('simulate --sink kafka: no brokers: set --brokers or KAFKA_BROKERS');
    const { addDays } = await import('../../oms-ems/sim/random.js');
    const startDate = values['start-date'] ?? addDays(config.businessDate, 1 - days);
    if (Number.isNaN(Date.parse(`${startDate}T00:00:00Z`))) throw new UsageError(`--start-date: ${startDate} is not a date`);

    const { simulate } = await import('../../oms-ems/sim/simulator.js');
    const { openSimSink } = await import('../../oms-ems/sim/open-sink.js');
    const sink = await openSimSink({ spec: sinkSpec, kafkaBrokers: config.kafkaBrokers, eventLogDir: config.eventLogDir, partitions, logger });
    try {
      logger.info({ sink: sink.description, startDate, days, tradesPerDay, seed }, 'simulating');
      const summary = await simulate({
        seed, tradesPerDay, days, startDate, sink, entities, badShare, correctionShare, dealsPerDay, logger, workers,
      });
      await sink.close();
      const total = Object.values(summary.events).reduce((a, b) => a + b, 0);
      if (config.format === 'json') out(`${JSON.stringify({ sink: sink.description, ...summary })}\n`);
      else {
        out(`Simulated ${summary.days.length} day(s) from ${startDate}: ${summary.orders} orders, ${summary.trades} trades, ${total} events to ${sink.description} in ${summary.seconds.toFixed(1)} s\n`);
        out(`Events per topic: ${Object.entries(summary.events).map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
        out(`Damaged on the wire: ${Object.entries(summary.bad).map(([k, n]) => `${k} ${n}`).join(', ')}; late corrections ${summary.corrections} (${summary.versionsOutOfOrder} with versions out of order)\n`);
        out(`Position keeping: journal and positions ${summary.reconciliation.ok ? 'reconcile' : 'DO NOT reconcile'} (${summary.reconciliation.entries} entries, ${summary.reconciliation.accounts} accounts)\n`);
      }
      return summary.reconciliation.ok ? 0 : 1;
    } catch (err) {
      await sink.close().catch(() => {});
      throw err;
    }
  },
};
