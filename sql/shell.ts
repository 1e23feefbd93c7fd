/**
 * The interactive SQL shell (`lakehouse sql` with no query on a terminal, or `--shell`): prompt `lakehouse> `,
 * statements end with `;` and may span lines (several on one line run one after the other), dot commands at the
 * start of a statement (.help, .tables, .format, .quit). Every statement goes through the same read-only path as
 * `lakehouse sql "<query>"`; an error is printed and the shell goes on. On a terminal, Ctrl-C stops a running
 * query (or clears the statement being typed) and the history is kept in ~/.lakehouse_sql_history.
 */
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LiveCatalog } from './analyst-catalog.js';
import { formatRows, type RowFormat } from './format-rows.js';
import { runReadOnlyQuery } from './read-only-query.js';

export const shellPrompt = 'lakehouse> ';
const continuationPrompt = '      ...> ';
const formats: RowFormat[] = ['table', 'csv', 'json'];

const shellHelp = `Statements end with ";" and may span lines. Read-only: ${'SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN'}.
.tables            the views and table macros (e.g. silver.trades_as_of(d))
.format FORMAT     table, csv or json
.help              this help
.quit              leave (Ctrl-D too)
`;

export interface ShellOptions {
  live: LiveCatalog;
  input: Readable;
  output: Writable;
  errorOutput: Writable;
  /** A terminal: line editing, history, Ctrl-C handling. */
  terminal: boolean;
  format: RowFormat;
  timeoutMs: number;
  maxRows: number;
  /** Where the history is kept on a terminal (null: not kept). */
  historyFile?: string | null;
}

/** Runs the shell until .quit or end of input; 0, or 1 when input was not a terminal and a statement failed. */
export async function runShell(options: ShellOptions): Promise<number> {
  const { live, output, errorOutput, terminal, timeoutMs, maxRows } = options;
  let format = options.format;
  const historyFile = terminal ? options.historyFile ?? null : null;
  const history = historyFile === null ? [] : loadHistory(historyFile);
  const rl = createInterface({ input: options.input, output, terminal, prompt: shellPrompt, history, historySize: 1000, removeHistoryDuplicates: true });
  let buffer = '';
  let running: DuckDBConnection | null = null;
  let failures = 0;

  rl.on('SIGINT', () => {
    if (running !== null) {
      running.interrupt();
      return;
    }
    buffer = '';
    output.write('^C\n');
    rl.setPrompt(shellPrompt);
    rl.prompt();
  });

  const print = (text: string) => output.write(text);
  const fail = (message: string) => {
    failures += 1;
    errorOutput.write(`Error: ${message}\n`);
  };

  const run = async (sql: string) => {
    const lease = await live.lease();
    const connection = await lease.catalog.db.connect();
    running = connection;
    try {
      const result = await runReadOnlyQuery(lease.catalog, sql, { timeoutMs, maxRows, connection });
      print(formatRows(result.columns, result.rows, format));
      if (result.truncated) errorOutput.write(`(cut at ${maxRows} rows: --max-rows)\n`);
    } finally {
      running = null;
      connection.closeSync();
      lease.release();
    }
  };

  const dotCommand = async (line: string): Promise<'quit' | void> => {
    const [command, ...args] = line.trim().split(/\s+/);
    switch (command) {
      case '.quit':
      case '.exit':
        return 'quit';
      case '.help':
        print(shellHelp);
        return;
      case '.tables':
        await run(tablesQuery);
        return;
      case '.format':
        if (args.length !== 1 || !formats.includes(args[0] as RowFormat)) {
          fail(`.format takes one of ${formats.join(', ')} (Parquet needs a file: lakehouse sql "<query>" --format parquet --out FILE)`);
          return;
        }
        format = args[0] as RowFormat;
        return;
      default:
        fail(`unknown command ${command}: .help lists them`);
    }
  };

  rl.prompt();
  try {
    for await (const line of rl) {
      if (isBlank(buffer) && line.trim().startsWith('.')) {
        buffer = '';
        try {
          if ((await dotCommand(line)) === 'quit') break;
        } catch (err) {
          fail((err as Error).message);
        }
      } else {
        buffer += `${line}\n`;
        const { statements, rest } = splitStatements(buffer);
        buffer = rest;
        for (const statement of statements) {
          try {
            await run(statement);
          } catch (err) {
            fail((err as Error).message);
          }
        }
      }
      rl.setPrompt(isBlank(buffer) ? shellPrompt : continuationPrompt);
      rl.prompt();
    }
  } finally {
    rl.close();
    if (historyFile !== null) saveHistory(historyFile, (rl as unknown as { history: string[] }).history ?? []);
  }
  // End of input with a statement still open: it is run as if it had its ";".
  if (!isBlank(buffer)) {
    try {
      await run(buffer);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  output.write('\n');
  return !terminal && failures > 0 ? 1 : 0;
}

const tablesQuery = `SELECT schema_name || '.' || view_name AS name, 'view' AS kind FROM duckdb_views() WHERE NOT internal AND NOT temporary
UNION ALL
SELECT schema_name || '.' || function_name || '(' || array_to_string(parameters, ', ') || ')', 'table macro'
FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal
ORDER BY kind DESC, name`;

/**
 * Splits text at the semicolons that end statements (not those in quotes or comments): the complete statements,
 * and what is left (an unfinished statement).
 */
export function splitStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      // A doubled quote inside is the quote itself: the scan resumes after it.
      i = end === -1 ? text.length : end + 1;
    } else if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (ch === '$' && /^\$[A-Za-z_]*\$/.test(text.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))![0];
      const end = text.indexOf(tag, i + tag.length);
      i = end === -1 ? text.length : end + tag.length;
    } else if (ch === ';') {
      const statement = text.slice(start, i + 1);
      if (statement.replace(/;$/, '').trim() !== '') statements.push(statement.trim());
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  const rest = text.slice(start);
  return { statements, rest: isBlank(rest) ? '' : rest };
}

/** Nothing but blanks and comments. */
function isBlank(text: string): boolean {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '';
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: string[]): void {
  try {
    writeFileSync(file, `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    /* history is a convenience */
  }
}
