import { resolve } from 'node:path';
import { commonHelp, commonOptions, knownAtOption, parse, regimeOption, reportingCurrenciesHelp, reportingCurrenciesOption } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse report lcr --as-of YYYY-MM-DD --out DIR [--entity E] [--known-at T] [options]
       lakehouse report verify DIR [options]

report lcr     the LCR of --as-of from silver's history as known at --known-at (default now), for every legal
               entity or one, written into DIR:
                 lcr_template.csv     the Basel LCR common disclosure template (LCR1): rows 1-23, unweighted and
                                      weighted values, per entity
                 lcr_template.html    the same as a readable page
                 fr2052a_extract.csv  an FR 2052a-style extract of the exposure rows with their LCR treatment
                 manifest.json        the request, the silver version and files used, the rule set and its hash,
                                      the code version, and a SHA-256 of every file above
               The files depend only on the figures: the same date known at a time before a later correction gives
               the same bytes.
report verify  rebuilds the report in DIR from the inputs its manifest names and proves it identical byte for
               byte, or names each file that differs and where (exit 1); it uses the reporting currencies and the
               rule set the manifest names

Options:
  --as-of YYYY-MM-DD         the business date reported (report lcr; default --business-date)
  --entity <E>               one legal entity (default all)
  --known-at <time>          what silver knew, ISO-8601 with a zone (default now)
  --regime basel|us          the rule set (default basel)
${reportingCurrenciesHelp}
  --out <dir>                where the report goes (created if missing)
${commonHelp}`;

const options = {
  ...commonOptions, 'as-of': { type: 'string' }, entity: { type: 'string' }, 'known-at': { type: 'string' }, regime: { type: 'string' }, out: { type: 'string' },
  'reporting-currencies': { type: 'string' },
} as const;

export const reportCommand = {
  summary: 'regulatory LCR report, and its verification',
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, options, true);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const [kind, ...rest] = positionals;
    if (kind === 'lcr') {
      if (rest.length > 0) throw new UsageError(`report lcr: unexpected argument ${JSON.stringify(rest[0])}`);
      if (values.out === undefined) throw new UsageError('report lcr: --out DIR is required');
      const asOf = values['as-of'] ?? values['business-date'];
      const ctx = createContext({ ...values, 'business-date': asOf });
      const knownAt = knownAtOption(values['known-at']);
      const regimeName = regimeOption(values.regime);
      const reportingCurrencies = reportingCurrenciesOption(values['reporting-currencies']);
      const { reportingCurrenciesWith } = await import('../../gold/exposures/reporting-currencies.js');
      const { writeLcrReport } = await import('../../gold/report/lcr-report-files.js');
      const { loadRegime } = await import('../../gold/regime/regime.js');
      try {
        const outDir = resolve(values.out);
        const manifest = await writeLcrReport({ store: ctx.store, asOfDate: ctx.config.businessDate, entity: values.entity, knownAt, regime: loadRegime(regimeName),
          reportingCurrencies: reportingCurrenciesWith(reportingCurrencies), outDir, logger: ctx.logger,
        });
        if (ctx.config.format === 'json') ctx.out(`${JSON.stringify(manifest)}\n`);
        else {
          ctx.out(`LCR report for ${manifest.request.as_of_date} as known at ${manifest.request.known_at} (silver version ${manifest.inputs.silver_version}, ${manifest.inputs.exposures} exposures, rule set ${manifest.rule_set.id} v${manifest.rule_set.version}) in ${outDir}\n`);
          for (const [entity, e] of Object.entries(manifest.entities)) ctx.out(`  ${entity}: LCR ${e.lcr ?? 'n/a'} (${e.reporting_currency})\n`);
          for (const o of manifest.outputs) ctx.out(`  ${o.file}  ${o.bytes} bytes  sha256 ${o.sha256}\n`);
        }
        return 0;
      } finally {
        await ctx.store.close();
      }
    }
    if (kind === 'verify') {
      if (rest.length !== 1) throw new UsageError('report verify: name one report directory');
      const ctx = createContext(values);
      const { verifyLcrReport } = await import('../../gold/report/lcr-report-files.js');
      try {
        const result = await verifyLcrReport({ store: ctx.store, dir: resolve(rest[0]), logger: ctx.logger });
        if (ctx.config.format === 'json') ctx.out(`${JSON.stringify({ ok: result.ok, lines: result.lines })}\n`);
        else {
          for (const line of result.lines) ctx.out(`${line}\n`);
          ctx.out(result.ok ? `verified: the report is identical to its rebuild from silver version ${result.manifest.inputs.silver_version}\n` : 'NOT verified: see the differences above\n');
        }
        return result.ok ? 0 : 1;
      } finally {
        await ctx.store.close();
      }
    }
    throw new UsageError(kind === undefined ? 'report: name a report: lcr, or verify DIR' : `report: unknown report ${JSON.stringify(kind)} (reports: lcr, verify)`);
  },
};
