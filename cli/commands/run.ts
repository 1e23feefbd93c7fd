import { commonHelp, commonOptions, knownAtOption, parse, regimeOption } from '../args.js';
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

Options:
  --full-refresh             silver: rebuild from all of bronze even when nothing is new
  --known-at <time>          gold: what silver knew at this time (ISO-8601, e.g. 2026-03-03T18:00:00Z; default now)
  --internal-limit <ratio>   gold: the internal LCR limit headroom is measured against (default 1.10)
  --regime basel|us          gold: the rule set (default basel)
${commonHelp}`;

const options = {
  ...commonOptions, 'full-refresh': { type: 'boolean' }, 'known-at': { type: 'string' }, 'internal-limit': { type: 'string' }, regime: { type: 'string' },
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
    const ctx = createContext(values);
    try {
      if (layer !== 'gold') await runSilver(ctx, values['full-refresh'] ?? false);
      if (layer !== 'silver') await runGold(ctx, { knownAt, internalLimit, regimeName });
      return 0;
    } finally {
      await ctx.store.close();
    }
  },
};

async function runSilver(ctx: Context, fullRefresh: boolean): Promise<void> {
  const { buildSilver } = await import('../../silver/build-silver.js');
  const result = await buildSilver({ store: ctx.store, businessDate: ctx.config.businessDate, fullRefresh, logger: ctx.logger });
  if (ctx.config.format === 'json') {
    ctx.out(`${JSON.stringify({ layer: 'silver', ...result })}\n`);
    return;
  }
  ctx.out(`silver ${result.published ? `version ${result.version} published (${result.incremental ? 'incremental' : 'from all of bronze'})` : `unchanged at version ${result.version} (${result.reason})`} for ${ctx.config.businessDate} in ${result.seconds.toFixed(1)} s\n`);
  for (const [topic, t] of Object.entries(result.counts)) {
    const run = result.run.counts[topic];
    const worked = run === undefined || !result.published ? '' : `; this build: ${result.run.newRecords[topic] ?? 0} new, worked on ${run.records} = ${run.accepted} accepted + ${run.quarantined} quarantined (${run.warned} with warnings)`;
    if (t.records > 0) ctx.out(`  ${topic}: ${t.records} records = ${t.accepted} accepted + ${t.quarantined} quarantined${worked}\n`);
  }
}

async function runGold(ctx: Context, options: { knownAt?: string; internalLimit?: string; regimeName: string }): Promise<void> {
  const { buildGold } = await import('../../gold/build-gold.js');
  const { loadRegime } = await import('../../gold/regime/regime.js');
  const result = await buildGold({
    store: ctx.store, businessDate: ctx.config.businessDate, knownAt: options.knownAt, internalLimit: options.internalLimit,
    regime: loadRegime(options.regimeName), logger: ctx.logger,
  });
  const { run } = result;
  if (ctx.config.format === 'json') {
    ctx.out(`${JSON.stringify({ layer: 'gold', published: result.published, version: result.version, reason: result.reason, run, seconds: result.seconds })}\n`);
    return;
  }
  const what = result.reason === 'unchanged' ? `unchanged at version ${result.version}: the figures are those of run ${run.version}`
    : result.reason === 'restated' ? `version ${result.version} published: restates run ${run.restates}`
      : result.reason === 'earlier_knowledge' ? `version ${result.version} published next to the date's current run, which knows more (gold.lcr_versions, gold.lcr_as_known)`
        : `version ${result.version} published`;
  ctx.out(`gold ${what}, for ${run.asOfDate} as known at ${run.knownAt} (silver version ${run.silverVersion}, ${run.exposures} exposures, regime ${run.regime.id} v${run.regime.version}) in ${result.seconds.toFixed(1)} s\n`);
  for (const [entity, e] of Object.entries(run.entities)) {
    ctx.out(`  ${entity}: LCR ${e.lcr === null ? 'n/a (no net cash outflows)' : `${(Number(e.lcr) * 100).toFixed(1)}%`} = HQLA ${e.hqla_total} / NCO ${e.net_cash_outflows} ${e.reporting_currency}\n`);
  }
}
