import { intOption, listOption, parse } from '../args.js';
import { UsageError } from '../../lib/errors.js';
import { createLogger } from '../../lib/log.js';

const help = `Usage: lakehouse fix-venue --port <p> --comp-id <id> --counterparties <id,id...> [options]

Runs a FIX 4.4 acceptor for the listed counterparty CompIDs only; sequence numbers reset at every Logon.
Prints "listening <host>:<port>" on stdout once it accepts connections; serves until SIGTERM or SIGINT, then logs
every session out and exits 0.

Options:
  --port <p>                 TCP port (0 picks a free one, printed on the listening line)
  --host <addr>              address to listen on (default 127.0.0.1)
  --comp-id <id>             our SenderCompID
  --counterparties <ids>     comma-separated TargetCompIDs allowed to log on
  --app venue|echo           venue (default): order books per Symbol, fills, cancels, market data;
                             echo: QuickFIX's acceptance-test application (echoes NewOrderSingle and
                             SecurityDefinition, rejects other application messages)
  --seed <n>                 venue: seed of the resting liquidity (default 1)
  --symbols <SYM=px,...>     venue: reference prices; other symbols get a price derived from the seed
  --reject-unknown-symbols   venue: reject orders and market data requests for symbols not in --symbols
  --log-level <level>        fatal|error|warn|info|debug|trace|silent (default info, env LOG_LEVEL); logs go to stderr
  -h, --help                 this help`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  'comp-id': { type: 'string' },
  counterparties: { type: 'string' },
  app: { type: 'string' },
  seed: { type: 'string' },
  symbols: { type: 'string' },
  'reject-unknown-symbols': { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function referencePrices(value: string | undefined): Record<string, number> | undefined {
  const entries = listOption(value);
  if (entries === undefined) return undefined;
  const prices: Record<string, number> = {};
  for (const entry of entries) {
    const [symbol, px] = entry.split('=');
    if (!symbol || !(Number(px) > 0)) throw new UsageError(`--symbols: ${JSON.stringify(entry)} must be SYMBOL=price with a price > 0`);
    prices[symbol] = Number(px);
  }
  return prices;
}

export const fixVenueCommand = {
  summary: 'run a FIX 4.4 venue (order books) or the FIX conformance echo acceptor',
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, options);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    if (values.port === undefined) throw new UsageError('fix-venue: --port is required');
    const port = intOption(values.port, '--port', 0, 0);
    if (port > 65_535) throw new UsageError('--port: must be <= 65535');
    const compId = values['comp-id'];
    if (!compId) throw new UsageError('fix-venue: --comp-id is required');
    const counterparties = listOption(values.counterparties);
    if (!counterparties?.length) throw new UsageError('fix-venue: --counterparties is required');
    const app = values.app ?? 'venue';
    if (app !== 'venue' && app !== 'echo') throw new UsageError(`--app: ${JSON.stringify(app)} must be venue or echo`);
    const seed = intOption(values.seed, '--seed', 1, 0);
    const symbols = referencePrices(values.symbols);
    const logger = createLogger({ level: values['log-level'] });

    const { FixAcceptor } = await import('../../oms-ems/fix/acceptor.js');
    const application = app === 'echo'
      ? (await import('../../oms-ems/fix/echo-app.js')).createEchoApplication()
      : (await import('../../oms-ems/venue/venue-app.js')).createVenueApplication({
        seed, referencePrices: symbols, rejectUnknownSymbols: values['reject-unknown-symbols'] ?? false, logger,
      });
    const acceptor = await FixAcceptor.listen({ host: values.host ?? '127.0.0.1', port, senderCompId: compId, counterparties, application, logger });
    process.stdout.write(`listening ${acceptor.host}:${acceptor.port}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    logger.info('fix-venue stopping');
    await acceptor.close();
    return 0;
  },
};
