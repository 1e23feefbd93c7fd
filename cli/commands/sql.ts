import { statSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { commonHelp, commonOptions, intOption, parse } from '../args.js';
import { createContext } from '../context.js';
import { UsageError } from '../../lib/errors.js';

const help = `Usage: lakehouse sql "<query>" [options]
       lakehouse sql                         (on a terminal: the interactive shell; otherwise the query from stdin)
       lakehouse sql --serve [--port N]      (POST /api/sql for BI tools)

Runs read-only SQL over the lakehouse's views: bronze.records, bronze.dead_letter, silver.trades_current,
silver.trades_history, silver.quarantine, silver.<entity>_history / _current, gold.lcr and the other gold.* views,
metrics.runs, and the table macros such as silver.<entity>_as_of(D) and silver.<entity>_as_known(D, T)
(SHOW ALL TABLES, or .tables in the shell, lists them).

Read-only for real: the database is opened read-only; one statement at a time, and only SELECT, WITH, DESCRIBE,
SHOW, SUMMARIZE and EXPLAIN are accepted; functions that read files (read_csv, read_parquet, glob, ...) or change
settings are refused, and so is reading a file by name. A refused statement exits 2; a query that fails or runs
past --timeout-ms exits 1; each with one line on stderr.

Options:
  --format table|csv|json|parquet
                             output format (default table); parquet needs --out
  --out FILE                 write the result to FILE instead of stdout (written whole or not at all;
                             "-" is stdout, refused for parquet when stdout is a terminal)
  --timeout-ms <n>           stop a query after this long (default 300000)
  --max-rows <n>             at most this many rows (default 1000000); more is cut, with a warning on stderr
  --shell                    the interactive shell even when stdin is not a terminal (statements from stdin)
  --serve                    serve POST /api/sql until SIGINT/SIGTERM; needs env LAKEHOUSE_SQL_TOKEN, the bearer
                             token clients send (Authorization: Bearer <token>). Body {"sql": "...", "maxRows": n}
                             or text/plain SQL; Accept: application/vnd.apache.arrow.stream for Arrow IPC,
                             otherwise JSON {columns, rows, truncated}. New table versions are picked up as they
                             are published. --timeout-ms and --max-rows apply per request
  --port <n>                 --serve: port (default 8765; 0 picks a free one, printed on start)
  --host <addr>              --serve: address to bind (default 127.0.0.1)

Shell: statements end with ";" (several lines allowed); .tables, .format table|csv|json, .help, .quit.

${commonHelp.split('\n').filter((line) => !line.includes('--format')).join('\n')}`;

const options = {
  ...commonOptions,
  'timeout-ms': { type: 'string' },
  'max-rows': { type: 'string' },
  out: { type: 'string' },
  shell: { type: 'boolean' },
  serve: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

const formats = ['table', 'csv', 'json', 'parquet'] as const;
type SqlFormat = (typeof formats)[number];

export const sqlCommand = {
  summary: 'run read-only SQL: one query, the interactive shell, or the HTTP endpoint',
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, options, true);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const format = (values.format ?? 'table') as SqlFormat;
    if (!formats.includes(format)) throw new UsageError(`--format: ${JSON.stringify(values.format)} must be one of ${formats.join(', ')}`);
    const timeoutMs = intOption(values['timeout-ms'], '--timeout-ms', 300_000);
    const maxRows = intOption(values['max-rows'], '--max-rows', 1_000_000);
    if (positionals.length > 1) throw new UsageError(`sql: expected one query argument, got ${positionals.length} (quote the query)`);
    const modes = [values.serve && '--serve', values.shell && '--shell'].filter(Boolean);
    if (modes.length > 1) throw new UsageError('sql: --serve and --shell do not go together');
    if (modes.length === 1 && positionals.length === 1) throw new UsageError(`sql: ${modes[0]} takes no query argument`);
    if (!values.serve && (values.port !== undefined || values.host !== undefined)) throw new UsageError('sql: --port and --host go with --serve');
    const out = values.out;
    if (format === 'parquet') {
      if (values.shell || values.serve) throw new UsageError('--format parquet is for one query with --out FILE');
      if (out === undefined) throw new UsageError('--format parquet needs --out FILE (Parquet is binary: it is not written to the terminal)');
      if (out === '-' && process.stdout.isTTY) throw new UsageError('--format parquet --out -: stdout is a terminal; give a file name or redirect stdout');
    }
    if (out !== undefined && out !== '-') {
      if (values.shell || values.serve) throw new UsageError('--out is for one query');
      const dir = (() => { try { return statSync(dirname(out)); } catch { return null; } })();
      if (dir === null || !dir.isDirectory()) throw new UsageError(`--out: no such directory: ${dirname(out)}`);
    }
    // --format is checked here (parquet is this command's own); the configuration knows the row formats only.
    const ctx = createContext({ ...values, format: format === 'parquet' ? undefined : format });

    if (values.serve) {
      const { sqlTokenFromEnv, serveSqlApi } = await import('../../sql/http-api.js');
      const token = sqlTokenFromEnv();
      const port = intOption(values.port, '--port', 8765, 0);
      if (port > 65_535) throw new UsageError('--port: must be <= 65535');
      const host = values.host ?? '127.0.0.1';
      if (!['127.0.0.1', 'localhost', '::1'].includes(host)) ctx.logger.warn({ host }, 'the SQL endpoint is bound beyond this machine: put TLS in front of it, bearer tokens travel in clear over plain HTTP');
      if (token.length < 16) ctx.logger.warn('LAKEHOUSE_SQL_TOKEN is shorter than 16 characters');
      const server = await serveSqlApi({ store: ctx.store, token, host, port, timeoutMs, maxRows, logger: ctx.logger });
      ctx.out(`Serving SQL at POST ${server.url} (bearer token from LAKEHOUSE_SQL_TOKEN); stop with Ctrl-C\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
      await ctx.store.close();
      return 0;
    }

    const interactive = positionals.length === 0 && (values.shell || process.stdin.isTTY === true);
    if (interactive) {
      const { liveAnalystCatalog } = await import('../../sql/analyst-catalog.js');
      const { runShell } = await import('../../sql/shell.js');
      const live = liveAnalystCatalog({ store: ctx.store, logger: ctx.logger });
      try {
        return await runShell({
          live, input: process.stdin, output: process.stdout, errorOutput: process.stderr, terminal: process.stdin.isTTY === true,
          format: format as 'table' | 'csv' | 'json', timeoutMs, maxRows,
          historyFile: process.env.LAKEHOUSE_SQL_HISTORY ?? join(homedir(), '.lakehouse_sql_history'),
        });
      } finally {
        await live.close();
        await ctx.store.close();
      }
    }

    let query = positionals[0];
    if (query === undefined) {
      query = await readStdin();
      if (query.trim() === '') throw new UsageError('sql: expected one query argument (or the query on stdin, or a terminal for the shell)');
    }
    const { openAnalystCatalog } = await import('../../sql/analyst-catalog.js');
    const { runReadOnlyQuery, streamReadOnlyQuery } = await import('../../sql/read-only-query.js');
    const catalog = await openAnalystCatalog({ store: ctx.store });
    try {
      if (format === 'parquet') {
        const { ParquetSink } = await import('../../sql/parquet-out.js');
        const sink = new ParquetSink();
        try {
          const result = await streamReadOnlyQuery(catalog, query, { timeoutMs, maxRows }, sink);
          if (out === '-') {
            const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
            const { tmpdir } = await import('node:os');
            const tmp = mkdtempSync(join(tmpdir(), 'lakehouse-parquet-'));
            try {
              await sink.finish(join(tmp, 'result.parquet'));
              process.stdout.write(readFileSync(join(tmp, 'result.parquet')));
            } finally {
              rmSync(tmp, { recursive: true, force: true });
            }
          } else {
            await sink.finish(out!);
            ctx.logger.info({ out, rows: result.rowCount }, 'result written as Parquet');
          }
          if (result.truncated) ctx.logger.warn({ maxRows }, 'result cut at --max-rows');
        } finally {
          sink.close();
        }
        return 0;
      }
      const { formatRows } = await import('../../sql/format-rows.js');
      const result = await runReadOnlyQuery(catalog, query, { timeoutMs, maxRows });
      const text = formatRows(result.columns, result.rows, format);
      if (out === undefined || out === '-') ctx.out(text);
      else writeWhole(out, text);
      if (result.truncated) ctx.logger.warn({ maxRows }, 'result cut at --max-rows');
      return 0;
    } finally {
      catalog.close();
      await ctx.store.close();
    }
  },
};

function writeWhole(path: string, text: string): void {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  writeFileSync(partial, text);
  renameSync(partial, path);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
