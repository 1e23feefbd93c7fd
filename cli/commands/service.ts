import { readFileSync } from 'node:fs';
import { intOption, listOption, parse } from '../args.js';
import { UsageError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger, type Logger } from '../../lib/log.js';
import type { EventBus } from '../../bus/event-bus.js';
import type { LimitsConfig } from '../../oms-ems/oms/pre-trade-checks.js';
import type { VenueAddress } from '../../oms-ems/services/oms-service.js';

const services = ['oms', 'trade-capture', 'positions'] as const;
type Service = (typeof services)[number];

const busHelp = `Bus and logging:
  --brokers <h:p,...>        Kafka bootstrap servers (env KAFKA_BROKERS); without them, the embedded event log
  --event-log <dir>          embedded event log directory (env EVENT_LOG_DIR; default <lake>/_eventlog). It takes one
                             writing process at a time: run the services one after another on it, or use Kafka
  --lake <uri>               where the default event log lives (default ./lake, env LAKE_URI)
  --log-level <level>        fatal|error|warn|info|debug|trace|silent (default info, env LOG_LEVEL); logs go to stderr
  -h, --help                 this help`;

const help = `Usage: lakehouse service <oms|trade-capture|positions> [options]

Runs one trading service against the event bus until SIGINT or SIGTERM, then stops gracefully and prints its
summary as one JSON line on stdout. Run \`lakehouse service <name> --help\` for a service's options.

Services:
  oms             order intake over HTTP, routed by the EMS to FIX venues; produces orders and executions
  trade-capture   executions joined with the instrument master and counterparty directory; produces trades
  positions       trades into a double-entry journal and positions; produces positions (CDC)`;

const helps: Record<Service, string> = {
  oms: `Usage: lakehouse service oms --venue NAME=host:port[:targetCompId] [options]

The OMS over HTTP/JSON (POST /orders, /orders/:id/cancel, /orders/:id/replace; GET /orders/:id, /health) with the
EMS routing each order to the venue quoting the best price, over FIX 4.4. Pre-trade checks use the instrument master
read from ref.instruments. Order and execution events go to the orders and executions topics in batches, at most
--flush-interval-ms after the HTTP answer (not before it); pending events are flushed at shutdown, after the FIX
sessions have logged out. Order state lives in memory. Prints "listening <url>" on stdout once it takes orders.

Options:
  --venue <NAME=host:port[:id]> a FIX venue (repeatable, or a comma list), in order of preference: an order no venue
                             quotes goes to the first connected one; id is its CompID (default NAME)
  --comp-id <id>             our SenderCompID (default OMS)
  --host <addr>              HTTP address (default 127.0.0.1)
  --port <p>                 HTTP port (default 8080; 0 picks a free one)
  --limits <file.json>       pre-trade limits (LimitsConfig: defaults, accounts, instruments, restrictedInstruments);
                             default: 10,000,000 units and 100,000,000 notional per order, 1,000,000,000 open
  --clearing <NAME=id,...>   counterparty id of each venue's clearing house on executions (default: the venue name)
  --fix-store <dir>          journal FIX sequence numbers and sent messages there (default: in memory)
  --group <id>               prefix of the run's private consumer groups (default oms)
  --reference-wait-ms <n>    longest wait for ref.instruments to be read at start (default 30000)
  --flush-interval-ms <n>    longest an event waits before it is sent (default 20)
${busHelp}`,
  'trade-capture': `Usage: lakehouse service trade-capture [options]

Consumes ref.instruments, ref.counterparties and executions; produces trades and trades.dead_letter. Offsets of
executions are committed once the batch's output is durable.

Options:
  --group <id>               consumer group of executions (default trade-capture)
  --stop-when-caught-up      stop once every execution written before the start is captured
${busHelp}`,
  positions: `Usage: lakehouse service positions [options]

Consumes trades, keeps a double-entry journal and positions, produces positions (before/after CDC events). State is
rebuilt from the trades topic at every start; at stop the journal and positions are reconciled (exit 1 if they
disagree).

Options:
  --group <id>               prefix of the run's consumer groups (default position-keeping)
  --stop-when-caught-up      stop once every trade written before the start is applied
${busHelp}`,
};

const busOptions = {
  brokers: { type: 'string' },
  'event-log': { type: 'string' },
  lake: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const consumerOptions = { ...busOptions, group: { type: 'string' }, 'stop-when-caught-up': { type: 'boolean' } } as const;

const omsOptions = {
  ...busOptions,
  venue: { type: 'string', multiple: true },
  'comp-id': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  limits: { type: 'string' },
  clearing: { type: 'string' },
  'fix-store': { type: 'string' },
  group: { type: 'string' },
  'reference-wait-ms': { type: 'string' },
  'flush-interval-ms': { type: 'string' },
} as const;

export const serviceCommand = {
  summary: 'run a trading service (oms, trade-capture, positions) against the event bus',
  async run(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(`${help}\n`);
      return name === undefined ? 2 : 0;
    }
    if (!(services as readonly string[]).includes(name)) throw new UsageError(`service: unknown service ${JSON.stringify(name)} (${services.join(', ')})`);
    const service = name as Service;
    if (service === 'oms') return runOms(rest);
    const { values } = parse(rest, consumerOptions);
    if (values.help) return printHelp(service);
    return withBus(service, values, async (bus, logger, signal) => {
      const options = { bus, logger, signal, groupId: values.group, stopWhenCaughtUp: values['stop-when-caught-up'] ?? false };
      if (service === 'trade-capture') {
        const { runTradeCaptureService } = await import('../../oms-ems/services/trade-capture-service.js');
        printJson(await runTradeCaptureService(options));
        return 0;
      }
      const { runPositionService } = await import('../../oms-ems/services/position-service.js');
      const summary = await runPositionService(options);
      printJson(summary);
      return summary.reconcile.ok ? 0 : 1;
    });
  },
};

async function runOms(argv: string[]): Promise<number> {
  const { values } = parse(argv, omsOptions);
  if (values.help) return printHelp('oms');
  const venues = venueAddresses(values.venue ?? []);
  const port = intOption(values.port, '--port', 8080, 0);
  if (port > 65_535) throw new UsageError('--port: must be <= 65535');
  const settings = {
    venues, port, host: values.host ?? '127.0.0.1', compId: values['comp-id'] ?? 'OMS', groupId: values.group,
    limits: values.limits === undefined ? undefined : await readLimits(values.limits),
    clearingCounterparties: clearing(values.clearing, venues), fixStoreDir: values['fix-store'],
    referenceWaitMs: intOption(values['reference-wait-ms'], '--reference-wait-ms', 30_000, 0),
    flushIntervalMs: intOption(values['flush-interval-ms'], '--flush-interval-ms', 20, 0),
  };
  return withBus('oms', values, async (bus, logger, signal) => {
    const { runOmsService } = await import('../../oms-ems/services/oms-service.js');
    const summary = await runOmsService({ ...settings, bus, logger, signal, onListening: (url) => process.stdout.write(`listening ${url}\n`) });
    printJson(summary);
    return summary.unsent === 0 ? 0 : 1;
  });
}

/** Opens the bus named by the flags, runs `work` with a signal that SIGINT or SIGTERM aborts, and closes the bus. */
async function withBus(
  service: Service, flags: { brokers?: string; 'event-log'?: string; lake?: string; 'log-level'?: string },
  work: (bus: EventBus, logger: Logger, signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const config = loadConfig(flags);
  const logger = createLogger({ level: config.logLevel }).child({ service });
  const { openBus } = await import('../../bus/open-bus.js');
  const bus = openBus({ kafkaBrokers: config.kafkaBrokers, eventLogDir: config.eventLogDir, clientId: `lakehouse-${service}`, logger });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    logger.info({ bus: bus.uri }, 'service starting');
    return await work(bus, logger, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await bus.close();
  }
}

function printHelp(service: Service): number {
  process.stdout.write(`${helps[service]}\n`);
  return 0;
}

function printJson(summary: object): void {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** `NAME=host:port[:targetCompId]`, from every --venue, each possibly a comma list. */
export function venueAddresses(values: string[]): VenueAddress[] {
  const entries = values.flatMap((v) => listOption(v) ?? []);
  if (entries.length === 0) throw new UsageError('service oms: --venue is required (NAME=host:port[:targetCompId])');
  const venues = entries.map((entry): VenueAddress => {
    const m = /^([^=:\s]+)=([^:\s]+):(\d+)(?::([^:\s]+))?$/.exec(entry);
    if (!m || Number(m[3]) < 1 || Number(m[3]) > 65_535) throw new UsageError(`--venue: ${JSON.stringify(entry)} must be NAME=host:port[:targetCompId] with a port from 1 to 65535`);
    return { venue: m[1], host: m[2], port: Number(m[3]), ...(m[4] ? { targetCompId: m[4] } : {}) };
  });
  const names = venues.map((v) => v.venue);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--venue: ${twice} is given twice`);
  return venues;
}

function clearing(value: string | undefined, venues: VenueAddress[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of listOption(value) ?? []) {
    const [venue, id, ...more] = entry.split('=');
    if (!venue || !id || more.length > 0) throw new UsageError(`--clearing: ${JSON.stringify(entry)} must be VENUE=counterpartyId`);
    if (!venues.some((v) => v.venue === venue)) throw new UsageError(`--clearing: ${venue} is not a --venue`);
    out[venue] = id;
  }
  return out;
}

async function readLimits(path: string): Promise<LimitsConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--limits: cannot read ${path}: ${(err as Error).message}`);
  }
  const { parseLimitsConfig } = await import('../../oms-ems/oms/limits-config.js');
  const { value, errors } = parseLimitsConfig(text);
  if (value === undefined) throw new UsageError(`--limits ${path}: ${errors.join('; ')}`);
  return value;
}
