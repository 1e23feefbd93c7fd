/**
 * The one home of DuckDB in the project: opening instances, running SQL files from sql/, quoting.
 * Values are bound as parameters; identifiers and literals that cannot be bound go through
 * quotedIdentifier / quotedString, never string joins of raw input.
 */
import { DuckDBInstance, DuckDBConnection, quotedIdentifier, quotedString } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export { DuckDBConnection, quotedIdentifier, quotedString };

export interface OpenDuckDbOptions {
  /** ':memory:' (default) or a database file. */
  path?: string;
  threads?: number;
  memoryLimit?: string;
  /** Extra configuration (DuckDB option names). */
  config?: Record<string, string>;
}

export interface DuckDb {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /** Another connection to the same instance, set up like `connection` (for statements that run side by side). */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

export async function openDuckDb(options: OpenDuckDbOptions = {}): Promise<DuckDb> {
  const config: Record<string, string> = { ...options.config };
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  const instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
  const connect = async (): Promise<DuckDBConnection> => {
    const c = await instance.connect();
    // Every timestamp in the lake is UTC; the machine's zone must not leak into dates or partitions.
    await c.run("SET TimeZone = 'UTC'");
    return c;
  };
  const connection = await connect();
  return {
    instance,
    connection,
    connect,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const sqlRoot = fileURLToPath(new URL('../../sql/', import.meta.url));
const sqlRootFromSource = fileURLToPath(new URL('../sql/', import.meta.url));
const sqlCache = new Map<string, string>();

/**
 * The text of sql/<name>.sql. `{{name}}` placeholders are filled with the given fragments, which callers
 * build with quotedString / quotedIdentifier (DuckDB cannot bind parameters inside CREATE VIEW or COPY targets).
 */
export function sqlFile(name: string, fragments: Record<string, string> = {}): string {
  let text = sqlCache.get(name);
  if (text === undefined) {
    text = readSql(name);
    sqlCache.set(name, text);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const fragment = fragments[key];
    if (fragment === undefined) throw new Error(`sql/${name}.sql: no value for {{${key}}}`);
    return fragment;
  });
}

function readSql(name: string): string {
  // Compiled code runs from dist/lib/, tests from lib/: sql/ sits at the repository root in both cases.
  for (const root of [sqlRoot, sqlRootFromSource]) {
    try {
      return readFileSync(`${root}${name}.sql`, 'utf8');
    } catch {
      /* try the next root */
    }
  }
  throw new Error(`sql/${name}.sql not found`);
}

/** A SQL list literal of strings: ['a', 'b']. */
export function quotedList(values: string[]): string {
  return `[${values.map(quotedString).join(', ')}]`;
}
