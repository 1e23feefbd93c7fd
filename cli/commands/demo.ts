import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commonHelp, commonOptions, intOption, parse } from '../args.js';
import { createContext, type CommandContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';
import type { PacedSink as PacedSinkType } from '../../oms-ems/sim/paced-sink.js';

const help = `Usage: lakehouse demo [options]

Runs the pipeline on embedded defaults, with no outside service: the simulator drives the trading services
(OMS, EMS and venues, trade capture, position keeping, treasury feed, reference data) for a few days up to the
business date, their events go into the embedded event log (<lake>/_eventlog), ingest lands them in bronze
exactly once, a record file with a few undecodable lines is replayed (they go to bronze.dead_letter), silver
validates every topic and keeps history on two timelines, gold computes each simulated day's liquidity exposures
and LCR per legal entity, and each entity's LCR and a few example queries are printed.

With --serve it then serves the dashboard (with /metrics, and /api/sql when LAKEHOUSE_SQL_TOKEN is set) and prints
its URL, until SIGINT/SIGTERM. With --stream (implies --serve) the simulated market keeps trading: one more trading
day every --tick-seconds goes into the event log, which is ingested continuously, and silver and gold are rebuilt
as it lands, so the dashboard ticks.

Options:
  --serve                    then serve the dashboard until stopped
  --stream                   keep the simulated trading going and the pipeline streaming (implies --serve)
  --port <n>                 dashboard port (default 8080; 0 picks a free one)
  --tick-seconds <n>         --stream: seconds per simulated trading day (default 10)
  --trades-per-day <n>       trades per simulated day (default 2000)
  --days <n>                 simulated days, ending on --business-date (default 2)
  --seed <n>                 simulator seed (default 42)
${commonHelp}`;

const options = {
  ...commonOptions, 'trades-per-day': { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, serve: { type: 'boolean' },
  stream: { type: 'boolean' }, port: { type: 'string' }, 'tick-seconds': { type: 'string' },
} as const;
/** Days the market may keep trading for in --stream mode. */
const streamDays = 365;

export const demoCommand = {
  summary: 'run the pipeline on embedded defaults',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const tradesPerDay = intOption(values['trades-per-day'], '--trades-per-day', 2_000);
    const days = intOption(values.days, '--days', 2);
    const seed = intOption(values.seed, '--seed', 42, 0);
    const stream = values.stream ?? false;
    const serve = (values.serve ?? false) || stream;
    const port = intOption(values.port, '--port', 8080, 0);
    if (port > 65_535) throw new UsageError('--port: must be <= 65535');
    const tickSeconds = intOption(values['tick-seconds'], '--tick-seconds', 10);
    // A demo is read by a person: only warnings and errors on stderr unless asked for more.
    const ctx = createContext({ ...values, 'log-level': values['log-level'] ?? process.env.LOG_LEVEL ?? 'warn' });
    const { config, logger, store, out } = ctx;
    const { EventLog } = await import('../../bus/event-log.js');
    const { BronzeWriter } = await import('../../bronze/bronze-writer.js');
    const { ingestBus } = await import('../../ingest/bus-ingest.js');
    const { simulate } = await import('../../oms-ems/sim/simulator.js');
    const { PacedSink } = await import('../../oms-ems/sim/paced-sink.js');
    const { sampleTradeRecords } = await import('../../oms-ems/sample-trades.js');
    const { openSimSink } = await import('../../oms-ems/sim/open-sink.js');
    const { addDays } = await import('../../oms-ems/sim/random.js');
    const { ingestFile } = await import('../../ingest/file-ingest.js');
    const { formatRecordLine } = await import('../../bus/record-file.js');
    const { openCatalog } = await import('../../sql/catalog.js');
    const { runReadOnlyQuery } = await import('../../sql/read-only-query.js');
    const { formatRows } = await import('../../sql/format-rows.js');

    const started = Date.now();
    const startDate = addDays(config.businessDate, 1 - days);
    const sink = await openSimSink({ spec: 'eventlog', eventLogDir: config.eventLogDir, partitions: 3, logger });
    const simulatedDays = Array.from({ length: days }, (_, i) => addDays(startDate, i));
    let paced: PacedSinkType | null = null;
    let market: Promise<unknown> | null = null;
    if (!stream) {
      const sim = await simulate({ seed, tradesPerDay, days, startDate, sink, logger });
      await sink.close();
      const events = Object.values(sim.events).reduce((a, b) => a + b, 0);
      out(`Simulated ${sim.days.join(', ')}: ${sim.orders} orders through the OMS, EMS and 3 venues, ${sim.trades} trades captured and kept in positions (journal reconciles: ${sim.reconciliation.ok}), treasury deals and reference data: ${events} events into the embedded event log ${config.eventLogDir}\n`);
      out(`  damaged on the wire on purpose: ${Object.entries(sim.bad).map(([k, n]) => `${k} ${n}`).join(', ')}; late trade corrections ${sim.corrections}\n`);
    } else {
      // One simulation that keeps trading, held at the end of each released day (ids stay unique across days).
      paced = new PacedSink(sink, endOfDay(config.businessDate));
      const pacedSink = paced;
      market = simulate({ seed, tradesPerDay, days: days + streamDays, startDate, sink: pacedSink, logger })
        .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'the simulated market stopped'))
        .finally(() => pacedSink.markFinished());
      await paced.idle();
      const events = Object.values(paced.counts()).reduce((a, b) => a + b, 0);
      out(`Simulated ${simulatedDays.join(', ')} so far: the OMS, EMS and 3 venues, trade capture, position keeping, treasury deals and reference data: ${events} events into the embedded event log ${config.eventLogDir}; the market keeps trading (a day every ${tickSeconds} s)\n`);
    }
    const bus = new EventLog({ dir: config.eventLogDir, logger });
    const writer = await BronzeWriter.open({ store, logger });
    try {
      const summary = await ingestBus({ bus, writer, logger, flushIntervalMs: 200 });
      out(`Ingested from the event log into bronze at ${store.uri}: ${summary.landed} landed, ${summary.dead_lettered} dead-lettered, ${summary.already_landed} already landed\n`);

      // A replay file as operations teams receive them: mostly good lines, a few that cannot be decoded.
      const replay = join(config.eventLogDir, '..', `replay-${config.businessDate}.jsonl`);
      const good = sampleTradeRecords({ count: 20, businessDate: config.businessDate, seed, badShare: 0 }).map((r) => formatRecordLine({ topic: r.topic, key: String(r.key), value: r.value as Record<string, unknown>, timestampMs: Number(r.timestamp) }));
      await writeFile(replay, [...good, 'not json', '{"key":"T1","value":{}}', '{"topic":"trades","key":"T2"}', ''].join('\n') + '\n');
      const fileSummary = await ingestFile({ path: replay, writer, logger });
      out(`Replayed ${replay}: ${JSON.stringify(fileSummary)}\n\n`);
    } finally {
      writer.close();
      await bus.close();
    }

    const { buildSilver } = await import('../../silver/build-silver.js');
    const { withRunLog } = await import('../../metrics/run-log.js');
    const { silverRunOutcome, goldRunOutcome } = await import('../../metrics/run-outcomes.js');
    const silver = await withRunLog(store, { layer: 'silver', trigger: 'demo', businessDate: config.businessDate, logger },
      () => buildSilver({ store, businessDate: config.businessDate, logger }), silverRunOutcome(store));
    const t = silver.counts.trades;
    out(`Built silver version ${silver.version} for ${config.businessDate}: trades ${t.records} records = ${t.accepted} accepted + ${t.quarantined} quarantined; checks ${silver.checks.every((c) => c.ok) ? 'all passed' : 'FAILED'}\n\n`);

    const { buildGold } = await import('../../gold/build-gold.js');
    let gold;
    for (const day of simulatedDays) {
      gold = await withRunLog(store, { layer: 'gold', trigger: 'demo', businessDate: day, logger }, () => buildGold({ store, businessDate: day, logger }), goldRunOutcome);
    }
    out(`Built gold (version ${gold!.version}) for ${simulatedDays.join(', ')}: the Basel III LCR per legal entity on ${config.businessDate}, from ${gold!.run.exposures} liquidity exposures:\n`);
    for (const [entity, e] of Object.entries(gold!.run.entities)) {
      out(`  ${entity.padEnd(8)} LCR ${e.lcr === null ? 'n/a' : `${(Number(e.lcr) * 100).toFixed(1)}%`.padStart(7)}   HQLA ${e.hqla_total.padStart(16)}  net cash outflows ${e.net_cash_outflows.padStart(16)} ${e.reporting_currency}\n`);
    }
    out('\n');

    const catalog = await openCatalog({ store });
    try {
      const queries = [
        'SELECT topic, count(*) AS records, count(DISTINCT "key") AS keys, min("timestamp") AS first, max("timestamp") AS last FROM bronze.records GROUP BY ALL ORDER BY ALL',
        'SELECT source, reason FROM bronze.dead_letter ORDER BY line',
        'SELECT legal_entity, asset_class, count(*) AS trades, sum(quantity * price)::DECIMAL(18,2) AS consideration FROM silver.trades_current GROUP BY ALL ORDER BY ALL',
        'SELECT rule, count(*) AS records FROM silver.quarantine GROUP BY rule ORDER BY records DESC, rule',
        'SELECT as_of_date, legal_entity, hqla_total, net_cash_outflows, lcr, below_internal_limit FROM gold.lcr ORDER BY ALL',
        `SELECT legal_entity, kind, component, change, buffer_effect FROM gold.lcr_drivers WHERE as_of_date = DATE '${config.businessDate}' AND rank <= 2 ORDER BY legal_entity, rank`,
      ];
      for (const q of queries) {
        out(`lakehouse sql ${JSON.stringify(q)}\n`);
        const result = await runReadOnlyQuery(catalog, q);
        out(`${formatRows(result.columns, result.rows, config.format)}\n`);
      }
    } finally {
      catalog.close();
    }
    out(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Query it yourself: npx lakehouse sql "SELECT * FROM gold.lcr" --lake ${config.lake}\n`);
    if (!serve) {
      await store.close();
      return 0;
    }
    await serveDemo({ ctx, paced, market, tickSeconds, port, lastDay: config.businessDate });
    return 0;
  },
};

const endOfDay = (date: string) => Date.parse(`${date}T23:59:59.999Z`);

/** Serves the dashboard until SIGINT/SIGTERM; with a paced market, releases a trading day per tick and streams the pipeline. */
async function serveDemo(options: {
  ctx: CommandContext; paced: PacedSinkType | null; market: Promise<unknown> | null; tickSeconds: number; port: number; lastDay: string;
}): Promise<void> {
  const { ctx, paced } = options;
  const { store, logger, out, config } = ctx;
  const { serveLakehouse } = await import('../../dashboards/serve-lakehouse.js');
  const server = await serveLakehouse({ store, port: options.port, logger, eventLogDir: config.eventLogDir });
  out(`\nDashboard: ${server.url}   (metrics: ${server.metricsUrl}${server.sqlUrl === null ? '' : `, SQL: POST ${server.sqlUrl}`})\n`);
  out(paced === null ? 'Serving until Ctrl-C.\n' : `The market trades on: a new day every ${options.tickSeconds} s, ingested and built into silver and gold as it lands; Ctrl-C stops.\n`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (paced === null) {
      await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    const { addDays } = await import('../../oms-ems/sim/random.js');
    const { EventLog } = await import('../../bus/event-log.js');
    const { BronzeWriter } = await import('../../bronze/bronze-writer.js');
    const { ingestBus } = await import('../../ingest/bus-ingest.js');
    const { runStream } = await import('../../pipeline/runner.js');
    const { buildSilver } = await import('../../silver/build-silver.js');
    const { buildGold } = await import('../../gold/build-gold.js');
    const { withRunLog } = await import('../../metrics/run-log.js');
    const { silverRunOutcome, goldRunOutcome } = await import('../../metrics/run-outcomes.js');
    let day = options.lastDay;
    const ticker = setInterval(() => {
      day = addDays(day, 1);
      paced.advanceTo(endOfDay(day));
      logger.info({ day }, 'the simulated market opens a new day');
    }, options.tickSeconds * 1000);
    const bus = new EventLog({ dir: config.eventLogDir, logger });
    const writer = await BronzeWriter.open({ store, logger });
    try {
      await runStream({
        store, logger, signal: abort.signal, intervalMs: 1_000,
        // The day the market has released and the simulator has written up to.
        businessDate: () => new Date(paced.cutoff).toISOString().slice(0, 10),
        ingest: () => ingestBus({ bus, writer, stream: true, flushIntervalMs: 500, signal: abort.signal, logger }),
        build: async (layer, { businessDate }) => {
          if (layer === 'silver') {
            const r = await withRunLog(store, { layer, trigger: 'stream', businessDate, logger }, () => buildSilver({ store, businessDate, logger }), silverRunOutcome(store));
            return { published: r.published, result: r };
          }
          const r = await withRunLog(store, { layer, trigger: 'stream', businessDate, logger }, () => buildGold({ store, businessDate, logger }), goldRunOutcome);
          if (r.published) {
            out(`${businessDate}: gold version ${r.version}: ${Object.entries(r.run.entities).map(([e, x]) => `${e} ${x.lcr === null ? 'n/a' : `${(Number(x.lcr) * 100).toFixed(1)}%`}`).join(', ')}\n`);
          }
          return { published: r.published, result: r };
        },
      });
    } finally {
      clearInterval(ticker);
      writer.close();
      await bus.close();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
    await paced?.close().catch(() => undefined);
    await store.close();
  }
}
