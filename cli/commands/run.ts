import { commonHelp, commonOptions, parse } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse run <silver|gold|all> [options]

Builds a layer from what is committed below it, for --business-date: write, audit, publish. A build whose checks
fail publishes nothing (the previous version stays visible) and exits 1 naming the check.

  silver    validate every topic's records (schema rules from the event schemas; the trade store's rules in
            arrival order), quarantine what fails (silver.quarantine), conform orders, executions and fx
            rates, and keep SCD2 history on two timelines with a current view for trades, treasury deals,
            instruments, counterparties and positions (silver.<entity>_history, silver.<entity>_current)
  gold      not built yet
  all       every layer that exists, in order

Options:
  --full-refresh             rebuild from all of bronze even when nothing is new
${commonHelp}`;

const options = { ...commonOptions, 'full-refresh': { type: 'boolean' } } as const;

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
    if (layer === 'gold') throw new UsageError('run gold: the gold layer is not built yet; run silver');
    if (layer !== 'silver' && layer !== 'all') throw new UsageError(`run: unknown layer ${JSON.stringify(layer)} (layers: silver, gold, all)`);
    const ctx = createContext(values);
    const { buildSilver } = await import('../../silver/build-silver.js');
    try {
      const result = await buildSilver({ store: ctx.store, businessDate: ctx.config.businessDate, fullRefresh: values['full-refresh'] ?? false, logger: ctx.logger });
      if (ctx.config.format === 'json') ctx.out(`${JSON.stringify(result)}\n`);
      else {
        ctx.out(`silver ${result.published ? `version ${result.version} published (${result.incremental ? 'incremental' : 'from all of bronze'})` : `unchanged at version ${result.version} (${result.reason})`} for ${ctx.config.businessDate} in ${result.seconds.toFixed(1)} s\n`);
        for (const [topic, t] of Object.entries(result.counts)) {
          const run = result.run.counts[topic];
          const worked = run === undefined || !result.published ? '' : `; this build: ${result.run.newRecords[topic] ?? 0} new, worked on ${run.records} = ${run.accepted} accepted + ${run.quarantined} quarantined (${run.warned} with warnings)`;
          if (t.records > 0) ctx.out(`  ${topic}: ${t.records} records = ${t.accepted} accepted + ${t.quarantined} quarantined${worked}\n`);
        }
      }
      return 0;
    } finally {
      await ctx.store.close();
    }
  },
};
