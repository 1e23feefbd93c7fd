import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commonHelp, commonOptions, intOption, parse } from '../args.js';
import { createContext } from '../context.js';

const help = `Usage: lakehouse demo [options]

Runs the pipeline on embedded defaults, with no outside service: the simulator drives the trading services
(OMS, EMS and venues, trade capture, position keeping, treasury feed, reference data) for a few days up to the
business date, their events go into the embedded event log (<lake>/_eventlog), ingest lands them in bronze
exactly once, a record file with a few undecodable lines is replayed (they go to bronze.dead_letter), silver
validates every topic and keeps history on two timelines, gold computes each simulated day's liquidity exposures
and LCR per legal entity, and each entity's LCR and a few example queries are printed.

Options:
  --trades-per-day <n>       trades per simulated day (default 2000)
  --days <n>                 simulated days, ending on --business-date (default 2)
  --seed <n>                 simulator seed (default 42)
${commonHelp}`;

const options = { ...commonOptions, 'trades-per-day': { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } } as const;

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
    // A demo is read by a person: only warnings and errors on stderr unless asked for more.
    const ctx = createContext({ ...values, 'log-level': values['log-level'] ?? process.env.LOG_LEVEL ?? 'warn' });
    const { config, logger, store, out } = ctx;
    const { EventLog } = await import('../../bus/event-log.js');
    const { BronzeWriter } = await import('../../bronze/bronze-writer.js');
    const { ingestBus } = await import('../../ingest/bus-ingest.js');
    const { simulate } = await import('../../oms-ems/sim/simulator.js');
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
    const sim = await simulate({ seed, tradesPerDay, days, startDate, sink, logger });
    await sink.close();
    const events = Object.values(sim.events).reduce((a, b) => a + b, 0);
    out(`Simulated ${sim.days.join(', ')}: ${sim.orders} orders through the OMS, EMS and 3 venues, ${sim.trades} trades captured and kept in positions (journal reconciles: ${sim.reconciliation.ok}), treasury deals and reference data: ${events} events into the embedded event log ${config.eventLogDir}\n`);
    out(`  damaged on the wire on purpose: ${Object.entries(sim.bad).map(([k, n]) => `${k} ${n}`).join(', ')}; late trade corrections ${sim.corrections}\n`);
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
    const silver = await buildSilver({ store, businessDate: config.businessDate, logger });
    const t = silver.counts.trades;
    out(`Built silver version ${silver.version} for ${config.businessDate}: trades ${t.records} records = ${t.accepted} accepted + ${t.quarantined} quarantined; checks ${silver.checks.every((c) => c.ok) ? 'all passed' : 'FAILED'}\n\n`);

    const { buildGold } = await import('../../gold/build-gold.js');
    let gold;
    for (const day of sim.days) gold = await buildGold({ store, businessDate: day, logger });
    out(`Built gold (version ${gold!.version}) for ${sim.days.join(', ')}: the Basel III LCR per legal entity on ${config.businessDate}, from ${gold!.run.exposures} liquidity exposures:\n`);
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
      await store.close();
    }
    out(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Query it yourself: npx lakehouse sql "SELECT * FROM gold.lcr" --lake ${config.lake}\n`);
    return 0;
  },
};
