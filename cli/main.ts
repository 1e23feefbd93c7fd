/**
 * `lakehouse <command>`: results on stdout, logs and errors on stderr.
 * Exit 0 on success, 1 when the work failed, 2 on bad usage or unusable input arguments.
 */
import { LakehouseError, UsageError } from '../lib/errors.js';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number | void>;
}

const commands: Record<string, () => Promise<Command>> = {
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand,
  sql: async () => (await import('./commands/sql.js')).sqlCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  'fix-venue': async () => (await import('./commands/fix-venue.js')).fixVenueCommand,
  simulate: async () => (await import('./commands/simulate.js')).simulateCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  service: async () => (await import('./commands/service.js')).serviceCommand,
  lcr: async () => (await import('./commands/lcr.js')).lcrCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  dashboard: async () => (await import('./commands/dashboard.js')).dashboardCommand,
};

const summaries: Record<string, string> = {
  ingest: 'land records into bronze from a record file, Kafka or the embedded event log',
  sql: 'read-only SQL over the lakehouse views: one query, the shell, or POST /api/sql',
  demo: 'simulate, ingest, build silver and gold and print each entity\'s LCR, on embedded defaults',
  'fix-venue': 'run a FIX 4.4 venue (order books) or the FIX conformance echo acceptor',
  run: 'build a layer from what is committed below it: silver, gold (the LCR), or all',
  simulate: 'simulate trading days: the trading services\' events to Kafka, the embedded log or a file',
  service: 'run a trading service (oms, trade-capture, positions) against the event bus',
  lcr: 'compute the Basel III LCR of an exposure file (LCR.md section D)',
  dashboard: 'serve the live LCR dashboard (updates as gold publishes)',
  report: 'write the regulatory LCR report (LCR1 template, FR 2052a-style extract, manifest), or verify one',
};

function usage(): string {
  const width = Math.max(...Object.keys(summaries).map((n) => n.length));
  return `Usage: lakehouse <command> [options]

A data lakehouse for bank treasury: Kafka events -> bronze Parquet -> silver history -> gold LCR.

Commands:
${Object.entries(summaries).map(([n, s]) => `  ${n.padEnd(width)}  ${s}`).join('\n')}

Run \`lakehouse <command> --help\` for a command's options.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) throw new UsageError(`unknown command: ${name} (commands: ${Object.keys(commands).join(', ')})`);
  const command = await load();
  return (await command.run(rest)) ?? 0;
}

function exit(code: number): void {
  // Exit once stdout is flushed; lingering sockets or timers of a client library must not keep the process up.
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`lakehouse: ${err.message}\n`);
    exit(2);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof LakehouseError && Object.keys(err.details).length > 0 ? ` ${JSON.stringify(err.details)}` : '';
  process.stderr.write(`lakehouse: ${message}${details}\n`);
  if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  exit(1);
});
