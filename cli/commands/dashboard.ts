import { commonHelp, commonOptions, intOption, parse } from '../args.js';
import { createContext } from '../context.js';
import { TerminalError, UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse dashboard [--port N] [--host H] [--internal-limit R] [options]

Serves the live LCR dashboard: per legal entity the LCR over time against 100% and the internal limit, HQLA by level
after haircuts and caps, weighted outflows against inflows by product, HQLA against net cash outflows, the latest
day's drivers, and a banner when a ratio is under a limit. The page updates by itself (server-sent events) when gold
publishes a new version. Read-only; serves until SIGINT/SIGTERM. Prints the URL on stdout.
The same server answers GET /metrics (Prometheus text: ingest lag, records per layer, quarantine per rule, run
durations and failures, gold freshness, the LCR per entity) and, when LAKEHOUSE_SQL_TOKEN is set, POST /api/sql
(read-only SQL for BI tools; JSON, or Arrow IPC with Accept: application/vnd.apache.arrow.stream).

Options:
  --port <n>                 port (default 8080; 0 picks a free one)
  --host <addr>              address to bind (default 127.0.0.1; the dashboard has no login: bind beyond this
                             machine only behind something that authenticates)
  --internal-limit <ratio>   the internal LCR limit to show and alert on, e.g. 1.10 for 110% (default: the limit
                             each gold run was computed with)

${commonHelp.split('\n').filter((line) => !line.includes('--format') && !line.includes('--business-date')).join('\n')}`;

const options = { ...commonOptions, port: { type: 'string' }, host: { type: 'string' }, 'internal-limit': { type: 'string' } } as const;

export const dashboardCommand = {
  summary: 'serve the live LCR dashboard',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    for (const flag of ['format', 'business-date'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`dashboard: --${flag} does not apply (the page shows every date gold has)`);
    }
    const port = intOption(values.port, '--port', 8080, 0);
    if (port > 65_535) throw new UsageError('--port: must be <= 65535');
    const host = values.host ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host: must not be empty');
    const internalLimit = values['internal-limit'];
    if (internalLimit !== undefined && (!/^\d{1,3}(\.\d{1,4})?$/.test(internalLimit) || Number(internalLimit) <= 0)) {
      throw new UsageError(`--internal-limit: ${JSON.stringify(internalLimit)} must be a positive ratio with at most 4 decimals, e.g. 1.10 for 110%`);
    }
    const ctx = createContext(values);
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) ctx.logger.warn({ host }, 'the dashboard is bound beyond this machine and has no login');
    const { serveLakehouse } = await import('../../dashboards/serve-lakehouse.js');
    let server;
    try {
      server = await serveLakehouse({
        store: ctx.store, host, port, internalLimit, logger: ctx.logger, eventLogDir: ctx.config.eventLogDir, kafkaBrokers: ctx.config.kafkaBrokers,
      });
    } catch (err) {
      await ctx.store.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new TerminalError(`dashboard: port ${port} on ${host} is in use: pass --port N (0 for any free port)`, { host, port });
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host: cannot bind ${host} on this machine`);
      throw err;
    }
    ctx.out(`Dashboard: ${server.url}\nMetrics:   ${server.metricsUrl}\n${server.sqlUrl === null ? '' : `SQL:       POST ${server.sqlUrl} (bearer token from LAKEHOUSE_SQL_TOKEN)\n`}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    ctx.logger.info('dashboard stopping');
    await server.close();
    await ctx.store.close();
    return 0;
  },
};
