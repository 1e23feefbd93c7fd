import { statSync } from 'node:fs';
import { commonOptions, parse, regimeOption } from '../args.js';
import { UsageError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/log.js';

const help = `Usage: lakehouse lcr --exposures <file.csv> [options]

Computes the Basel III Liquidity Coverage Ratio of every legal entity in an exposure file: one CSV row per exposure
with a header row, the columns of LCR.md section D. A file that breaks section D's rules is refused (exit 2) with
every offending line and column on stderr; nothing is computed from it.

Options:
  --exposures <file.csv>     the exposure file (required)
  --regime basel|us          the rule set, gold/regime/<name>.json (default basel; us falls back to Basel figures
                             where no US figure is confirmed)
  --format table|csv|json    json: {as_of_date, horizon_days, entities} with every figure of each entity (money to
                             2 decimals, lcr to 6, as strings); table and csv: one row per entity (default table)
  --log-level <level>        fatal|error|warn|info|debug|trace|silent (default info, env LOG_LEVEL); logs go to stderr
  -h, --help                 this help`;

const options = { ...commonOptions, exposures: { type: 'string' }, regime: { type: 'string' } } as const;

const tableColumns = [
  'as_of_date', 'legal_entity', 'reporting_currency', 'hqla_total', 'level1', 'level2a', 'level2b', 'adjustment_15pct_cap',
  'adjustment_40pct_cap', 'outflows_total', 'inflows_total', 'inflows_capped', 'net_cash_outflows', 'lcr', 'excluded',
] as const;

export const lcrCommand = {
  summary: 'compute the LCR of an exposure file',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const path = values.exposures;
    if (path === undefined || path === '') throw new UsageError('lcr: --exposures <file.csv> is required');
    const { loadRegime } = await import('../../gold/regime/regime.js');
    const regimeName = regimeOption(values.regime);
    const config = loadConfig(values);
    const stat = (() => { try { return statSync(path); } catch { return null; } })();
    if (stat === null || !stat.isFile()) throw new UsageError(`--exposures: no such file: ${path}`);
    const log = createLogger({ level: config.logLevel });
    const regime = loadRegime(regimeName);
    const { openDuckDb } = await import('../../lib/duckdb.js');
    const { validateExposures } = await import('../../gold/lcr/validate-exposures.js');
    const { computeLcr, LcrInputError } = await import('../../gold/lcr/compute-lcr.js');
    const db = await openDuckDb();
    try {
      const started = performance.now();
      const validated = await validateExposures(db.connection, path);
      if (validated.problems.length > 0) {
        const lines = validated.problems.map((p) => `${path}:${p.line}: ${p.column}: ${p.message}${p.exposure_id === null ? '' : ` (exposure_id ${p.exposure_id})`}`);
        process.stderr.write(`lakehouse: ${path} breaks LCR.md section D: ${validated.problems.length} problem(s), nothing computed\n${lines.join('\n')}\n`);
        return 2;
      }
      let reports;
      try {
        reports = await computeLcr(db.connection, { exposures: validated.table!, regime, logger: log });
      } catch (err) {
        if (!(err instanceof LcrInputError) || err.problems.length === 0) throw err;
        const lines = await db.connection.runAndReadAll('SELECT exposure_id, line FROM lcr_exposures');
        const lineOf = new Map(lines.getRowObjectsJson().map((r) => [String(r.exposure_id), Number(r.line)]));
        const described = err.problems.map((p) => {
          const keys = [`product ${p.product}`, p.counterparty_type && `counterparty_type ${p.counterparty_type}`, p.collateral_class && `collateral_class ${p.collateral_class}`];
          return `${path}:${lineOf.get(p.exposure_id)}: ${p.problem} (${keys.filter(Boolean).join(', ')}) (exposure_id ${p.exposure_id})`;
        });
        process.stderr.write(`lakehouse: ${path}: ${err.problems.length} exposure(s) cannot be priced under regime ${regime.id}, nothing computed\n${described.join('\n')}\n`);
        return 2;
      }
      const report = reports[0] ?? { as_of_date: null, horizon_days: regime.horizon_days, entities: {} };
      log.child({ module: 'lcr' }).info({ file: path, regime: regime.id, rows: validated.rows, entities: Object.keys(report.entities).length, ms: Math.round(performance.now() - started) }, 'LCR of an exposure file');
      if (config.format === 'json') {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return 0;
      }
      const { formatRows } = await import('../../sql/format-rows.js');
      const rows = Object.entries(report.entities).map(([entity, e]) => ({ ...e, as_of_date: report.as_of_date, legal_entity: entity, excluded: e.excluded.length }));
      process.stdout.write(formatRows(tableColumns.map((name) => ({ name })), rows, config.format));
      return 0;
    } finally {
      db.close();
    }
  },
};
