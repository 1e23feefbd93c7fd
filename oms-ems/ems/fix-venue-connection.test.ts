import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/until.js';
import { FixAcceptor } from '../fix/acceptor.js';
import { createVenueApplication } from '../venue/venue-app.js';
import { FixVenueConnection } from './fix-venue-connection.js';
import type { VenueReport } from './venue-connection.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function venue(port = 0): Promise<FixAcceptor> {
  const application = createVenueApplication({ seed: 3, referencePrices: { AAPL: 100, MSFT: 400 }, rejectUnknownSymbols: true });
  const acceptor = await FixAcceptor.listen({ port, senderCompId: 'XV', counterparties: ['EMS'], application });
  cleanups.push(() => acceptor.close());
  return acceptor;
}

async function connect(port: number, instruments: string[] = []): Promise<{ connection: FixVenueConnection; reports: VenueReport[] }> {
  const connection = await FixVenueConnection.connect({ venue: 'XV', host: '127.0.0.1', port, senderCompId: 'EMS', targetCompId: 'XV', instruments, reconnectDelayMs: 50 });
  cleanups.push(() => connection.close());
  const reports: VenueReport[] = [];
  connection.onReport = (r) => void reports.push(r);
  return { connection, reports };
}

describe('FixVenueConnection', () => {
  it('has the quotes of the instruments it was given once connected, and subscribes to others on first ask', async () => {
    const acceptor = await venue();
    const { connection } = await connect(acceptor.port, ['AAPL']);
    expect(connection.quote('AAPL')).toMatchObject({ bidPrice: 99.99, askPrice: 100.01 });
    expect(connection.quote('MSFT')).toBeUndefined();
    await until(() => connection.quote('MSFT') !== undefined, 'a quote for MSFT');
    expect(connection.quote('MSFT')).toMatchObject({ bidPrice: 399.99, askPrice: 400.01 });
    expect(connection.quote('NOPE')).toBeUndefined(); // the venue rejects the symbol: no quote, but still quoting others
    await new Promise((r) => setTimeout(r, 100));
    expect([connection.quote('NOPE'), connection.quoting]).toEqual([undefined, true]);
  });

  it('follows the book as orders change it, and maps a cancel back to the order it cancels', async () => {
    const acceptor = await venue();
    const { connection, reports } = await connect(acceptor.port, ['AAPL']);
    const resting = { clOrdId: 'O-1', instrumentId: 'AAPL', side: 'BUY' as const, quantity: 300, orderType: 'LIMIT' as const, limitPrice: 100 };
    connection.newOrder(resting);
    await until(() => connection.quote('AAPL')?.bidPrice === 100, 'the resting bid to show in the quote');
    connection.cancel('O-1', resting);
    await until(() => reports.length === 2, 'the cancel');
    expect(reports.map((r) => [r.clOrdId, r.execType, r.leavesQty])).toEqual([['O-1', 'NEW', 300], ['O-1', 'CANCELLED', 0]]);
    await until(() => connection.quote('AAPL')?.bidPrice === 99.99, 'the bid to fall back');
  });

  it('reconnects after the venue restarts, subscribing again, and refuses orders while it is away', async () => {
    const first = await venue();
    const port = first.port;
    const { connection } = await connect(port, ['AAPL']);
    await first.close();
    await until(() => !connection.connected, 'the session to drop');
    expect(connection.quote('AAPL')).toBeUndefined();
    expect(() => connection.newOrder({ clOrdId: 'O-2', instrumentId: 'AAPL', side: 'BUY', quantity: 1, orderType: 'MARKET', limitPrice: null })).toThrow(/not connected/);
    await venue(port);
    await until(() => connection.connected && connection.quote('AAPL') !== undefined, 'the session and the quote to come back', 15_000);
  });
});
