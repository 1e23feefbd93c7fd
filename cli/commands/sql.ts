import { commonHelp, commonOptions, intOption, parse } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse sql "<query>" [options]

Runs one read-only query (SELECT, WITH or EXPLAIN) over the lakehouse's views and prints the rows.
Views: bronze.records, bronze.dead_letter. Anything that writes, reads files outside the lake, or changes
settings is refused (exit 2).

Options:
  --timeout-ms <n>           stop the query after this long (default 300000)
  --max-rows <n>             print at most this many rows (default 1000000)
${commonHelp}`;

const options = { ...commonOptions, 'timeout-ms': { type: 'string' }, 'max-rows': { type: 'string' } } as const;

export const sqlCommand = {
  summary: 'run one read-only query',
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, options, true);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`sql: expected one query argument, got ${positionals.length}`);
    const timeoutMs = intOption(values['timeout-ms'], '--timeout-ms', 300_000);
    const maxRows = intOption(values['max-rows'], '--max-rows', 1_000_000);
    const ctx = createContext(values);
    const { openCatalog } = await import('../../sql/catalog.js');
    const { lockDown, runReadOnlyQuery } = await import('../../sql/read-only-query.js');
    const { formatRows } = await import('../../sql/format-rows.js');
    const catalog = await openCatalog({ store: ctx.store });
    try {
      await lockDown(catalog);
      const result = await runReadOnlyQuery(catalog, positionals[0], { timeoutMs, maxRows });
      ctx.out(formatRows(result.columns, result.rows, ctx.config.format));
      if (result.truncated) ctx.logger.warn({ maxRows }, 'result cut at --max-rows');
      return 0;
    } finally {
      catalog.close();
      await ctx.store.close();
    }
  },
};
