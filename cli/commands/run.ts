import { commonHelp, commonOptions, intOption, knownAtOption, parse, regimeOption, reportingCurrenciesHelp, reportingCurrenciesOption } from '../args.js';
import type { LayerBuild } from '../../pipeline/runner.js';
import { createContext, type CommandContext as Context } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse run <silver|gold|all> [options]

Builds a layer from what is committed below it, for --business-date: write, audit, publish. A build whose checks
fail publishes nothing (the previous version stays visible) and exits 1 naming the check.

  silver    validate every topic's records (schema rules from the event schemas; the trade store's rules in
            arrival order), quarantine what fails (silver.quarantine), conform orders, executions and fx
            rates, and keep SCD2 history on two timelines with a current view for trades, treasury deals,
            instruments, counterparties and positions (silver.<entity>_history, silver.<entity>_current)
  gold      the liquidity exposures of --business-date from silver's history as known at --known-at, and
            their LCR per legal entity with its breakdowns (gold.liquidity_exposures, gold.lcr, gold.lcr_flows,
            gold.hqla_by_level, gold.lcr_buffer, gold.lcr_change, gold.lcr_drivers). Figures that differ from
            the date's current run are published as a new run (a restatement); earlier runs stay queryable in
            gold.lcr_versions and gold.lcr_as_known(t)
  all       silver, then gold

Each run of a layer holds that layer's lock in the lake (_locks/<layer>.json, a lease renewed while it works): a
second run of the same layer, here or on another machine, is skipped while the first goes on; a crashed holder's
lock is taken over once its lease runs out (at once on the same host).

Modes:
  (default)                  run once and exit (1 when a layer fails)
  --schedule "<cron>"        run on a cron schedule (UTC, 5 or 6 fields, e.g. "*/15 * * * *") until SIGINT/SIGTERM;
                             a failing run is logged and retried at the next tick
  --stream                   keep going: ingest the event bus continuously (run all; --source eventlog or kafka)
                             and rebuild silver and gold incrementally whenever new data is committed, checking
                             every --interval-ms; SIGINT/SIGTERM finishes the run under way, then stops

Options:
  --full-refresh             silver: rebuild from all of bronze even when nothing is new
  --known-at <time>          gold: what silver knew at this time (ISO-8601, e.g. 2026-03-03T18:00:00Z; default now)
  --internal-limit <ratio>   gold: the internal LCR limit headroom is measured against (default 1.10)
  --regime basel|us          gold: the rule set (default basel)
${reportingCurrenciesHelp}
  --interval-ms <n>          stream: how often to look for new data (default 2000)
  --source eventlog|kafka    stream: the bus ingest consumes (default eventlog; kafka uses --brokers/KAFKA_BROKERS)
  --brokers <h:p,...>        Kafka bootstrap servers (env KAFKA_BROKERS)
  --event-log <dir>          embedded event log directory (env EVENT_LOG_DIR, default <lake>/_eventlog)
The business date of scheduled and streamed runs is --business-date if given, else the UTC date of each run.
${commonHelp}`;

const options = {
  ...commonOptions, 'full-refresh': { type: 'boolean' }, 'known-at': { type: 'string' }, 'internal-limit': { type: 'string' }, regime: { type: 'string' },
  'reporting-currencies': { type: 'string' }, schedule: { type: 'string' }, stream: { type: 'boolean' }, 'interval-ms': { type: 'string' }, source: { type: 'string' }, brokers: { type: 'string' },
  'event-log': { type: 'string' },
} as const;

export const runCommand = {
  summary: 'build a layer (silver, gold, all)',
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, options, true);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const [layer, ...extra] = positionals;
    if (layer === undefined || extra.length > 0) throw new UsageError('run: name one layer: silver, gold or all');
    if (layer !== 'silver' && layer !== 'gold' && layer !== 'all') throw new UsageError(`run: unknown layer ${JSON.stringify(layer)} (layers: silver, gold, all)`);
    const knownAt = knownAtOption(values['known-at']);
    const internalLimit = values['internal-limit'];
    if (internalLimit !== undefined && !/^\d{1,3}(\.\d{1,4})?$/.test(internalLimit)) throw new UsageError(`--internal-limit: ${JSON.stringify(internalLimit)} is not a ratio such as 1.10`);
    const regimeName = regimeOption(values.regime);
    const reportingCurrencies = reportingCurrenciesOption(values['reporting-currencies']);
    if (values.schedule !== undefined && values.stream) throw new UsageError('run: --schedule and --stream are two modes: choose one');
    const source = values.source ?? 'eventlog';
    if (source !== 'eventlog' && source !== 'kafka') throw new UsageError(`--source: ${JSON.stringify(source)} is not eventlog or kafka`);
    const intervalMs = intOption(values['interval-ms'], '--interval-ms', 2_000, 100);
    const { checkCron, layersOf, runLayers, runOnSchedule } = await import('../../pipeline/runner.js');
    if (values.schedule !== undefined) checkCron(values.schedule);
    const ctx = createContext(values);
    const fixedDate = values['business-date'];
    const trigger = values.schedule !== undefined ? 'schedule' : values.stream ? 'stream' : 'cli';
    const build: LayerBuild = async (l, { businessDate }) => {
      const dated = { ...ctx, config: { ...ctx.config, businessDate } };
      if (l === 'silver') return runSilver(dated, values['full-refresh'] ?? false, trigger);
      return runGold(dated, { knownAt, internalLimit, regimeName, reportingCurrencies }, trigger);
    };
    const { withRunLog } = await import('../../metrics/run-log.js');
    // A run skipped because another holds the layer's lock is logged too (the metrics count it).
    const onLocked = async (l: 'silver' | 'gold', businessDate: string) => {
      await withRunLog(ctx.store, { layer: l, trigger, businessDate, logger: ctx.logger }, async () => ({ status: 'skipped_locked' as const }));
    };
    const runner = { store: ctx.store, build, onLocked, businessDate: fixedDate, logger: ctx.logger };
    const layers = layersOf(layer);
    try {
      if (values.schedule === undefined && !values.stream) {
        const outcomes = await runLayers(layers, { ...runner, businessDate: ctx.config.businessDate });
        const failed = outcomes.find((o) => o.status === 'failed' || o.status === 'skipped_locked');
        if (failed !== undefined) {
          process.stderr.write(`lakehouse: run ${failed.layer} ${failed.status === 'failed' ? 'failed' : 'skipped'}: ${failed.error}\n`);
          return 1;
        }
        return 0;
      }
      const abort = new AbortController();
      const onSignal = () => {
        ctx.logger.info({}, 'stopping: the run under way finishes first');
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        if (values.schedule !== undefined) {
          ctx.out(`running ${layers.join(' and ')} on schedule "${values.schedule}" (UTC) until stopped\n`);
          await runOnSchedule(layers, values.schedule, { ...runner, signal: abort.signal });
        } else {
          await streamLayers(ctx, { layers, source, intervalMs, signal: abort.signal, runner });
        }
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    } finally {
      await ctx.store.close();
    }
  },
};

async function streamLayers(ctx: Context, options: {
  layers: ('silver' | 'gold')[]; source: 'eventlog' | 'kafka'; intervalMs: number; signal: AbortSignal;
  runner: { store: Context['store']; build: LayerBuild; onLocked?: (layer: 'silver' | 'gold', businessDate: string) => Promise<void>; businessDate?: string; logger: Context['logger'] };
}): Promise<void> {
  const { runStream } = await import('../../pipeline/runner.js');
  const withIngest = options.layers.includes('silver');
  let ingest: (() => Promise<unknown>) | undefined;
  let close = async () => {};
  if (withIngest) {
    const brokers = options.source === 'kafka' ? ctx.config.kafkaBrokers : undefined;
    if (options.source === 'kafka' && brokers === undefined) throw new UsageError('run --stream --source kafka: no brokers: set --brokers or KAFKA_BROKERS');
    const { BronzeWriter } = await import('../../bronze/bronze-writer.js');
    const { openBus } = await import('../../bus/open-bus.js');
    const { ingestBus } = await import('../../ingest/bus-ingest.js');
    const writer = await BronzeWriter.open({ store: ctx.store, logger: ctx.logger });
    const bus = openBus({ kafkaBrokers: brokers, eventLogDir: ctx.config.eventLogDir, logger: ctx.logger });
    ingest = () => ingestBus({ bus, writer, stream: true, flushIntervalMs: Math.min(1_000, options.intervalMs), signal: options.signal, logger: ctx.logger });
    close = async () => {
      writer.close();
      await bus.close();
    };
  }
  ctx.out(`streaming${withIngest ? ` from the ${options.source === 'kafka' ? 'Kafka brokers' : `event log ${ctx.config.eventLogDir}`} into bronze,` : ''} ${options.layers.join(' and ')} rebuilt as new data is committed (every ${options.intervalMs} ms) until stopped\n`);
  try {
    await runStream({
      ...options.runner, signal: options.signal, intervalMs: options.intervalMs, ingest,
    });
  } finally {
    await close();
  }
}

type Trigger = 'cli' | 'schedule' | 'stream' | 'demo';

export async function runSilver(ctx: Context, fullRefresh: boolean, trigger: Trigger): Promise<{ published: boolean; result: unknown }> {
  const { buildSilver } = await import('../../silver/build-silver.js');
  const { withRunLog } = await import('../../metrics/run-log.js');
  const { silverRunOutcome } = await import('../../metrics/run-outcomes.js');
  const result = await withRunLog(ctx.store, { layer: 'silver', trigger, businessDate: ctx.config.businessDate, logger: ctx.logger },
    () => buildSilver({ store: ctx.store, businessDate: ctx.config.businessDate, fullRefresh, logger: ctx.logger }), silverRunOutcome(ctx.store));
  if (ctx.config.format === 'json') {
    ctx.out(`${JSON.stringify({ layer: 'silver', ...result })}\n`);
    return { published: result.published, result };
  }
  ctx.out(`silver ${result.published ? `version ${result.version} published (${result.incremental ? 'incremental' : 'from all of bronze'})` : `unchanged at version ${result.version} (${result.reason})`} for ${ctx.config.businessDate} in ${result.seconds.toFixed(1)} s\n`);
  for (const [topic, t] of Object.entries(result.counts)) {
    const run = result.run.counts[topic];
    const worked = run === undefined || !result.published ? '' : `; this build: ${result.run.newRecords[topic] ?? 0} new, worked on ${run.records} = ${run.accepted} accepted + ${run.quarantined} quarantined (${run.warned} with warnings)`;
    if (t.records > 0) ctx.out(`  ${topic}: ${t.records} records = ${t.accepted} accepted + ${t.quarantined} quarantined${worked}\n`);
  }
  return { published: result.published, result };
}

async function runGold(ctx: Context, options: { knownAt?: string; internalLimit?: string; regimeName: string; reportingCurrencies?: Record<string, string> }, trigger: Trigger): Promise<{ published: boolean; result: unknown }> {
  const { buildGold } = await import('../../gold/build-gold.js');
  const { loadRegime } = await import('../../gold/regime/regime.js');
  const { withRunLog } = await import('../../metrics/run-log.js');
  const { goldRunOutcome } = await import('../../metrics/run-outcomes.js');
  const { reportingCurrenciesWith } = await import('../../gold/exposures/reporting-currencies.js');
  const result = await withRunLog(ctx.store, { layer: 'gold', trigger, businessDate: ctx.config.businessDate, logger: ctx.logger }, () => buildGold({
    store: ctx.store, businessDate: ctx.config.businessDate, knownAt: options.knownAt, internalLimit: options.internalLimit,
    regime: loadRegime(options.regimeName), reportingCurrencies: reportingCurrenciesWith(options.reportingCurrencies), logger: ctx.logger,
  }), goldRunOutcome);
  const { run } = result;
  if (ctx.config.format === 'json') {
    ctx.out(`${JSON.stringify({ layer: 'gold', published: result.published, version: result.version, reason: result.reason, run, seconds: result.seconds })}\n`);
    return { published: result.published, result };
  }
  const what = result.reason === 'unchanged' ? `unchanged at version ${result.version}: the figures are those of run ${run.version}`
    : result.reason === 'restated' ? `version ${result.version} published: restates run ${run.restates}`
      : result.reason === 'earlier_knowledge' ? `version ${result.version} published next to the date's current run, which knows more (gold.lcr_versions, gold.lcr_as_known)`
        : `version ${result.version} published`;
  ctx.out(`gold ${what}, for ${run.asOfDate} as known at ${run.knownAt} (silver version ${run.silverVersion}, ${run.exposures} exposures, regime ${run.regime.id} v${run.regime.version}) in ${result.seconds.toFixed(1)} s\n`);
  for (const [entity, e] of Object.entries(run.entities)) {
    ctx.out(`  ${entity}: LCR ${e.lcr === null ? 'n/a (no net cash outflows)' : `${(Number(e.lcr) * 100).toFixed(1)}%`} = HQLA ${e.hqla_total} / NCO ${e.net_cash_outflows} ${e.reporting_currency}\n`);
  }
  return { published: result.published, result };
}
