import { afterEach, describe, expect, it } from 'vitest';
import { FixAcceptor } from '../fix/acceptor.js';
import type { FixFields, FixMessage } from '../fix/codec.js';
import { connectFix, type FixInitiator } from '../fix/initiator.js';
import { formatUtcTimestamp } from '../fix/utc-timestamp.js';
import { createVenueApplication, type VenueApplication } from './venue-app.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Client { fix: FixInitiator; inbox: FixMessage[]; take(count: number): Promise<FixMessage[]> }

async function venue(): Promise<{ app: VenueApplication; connect(compId: string): Promise<Client> }> {
  const app = createVenueApplication({ seed: 1, referencePrices: { AAPL: 100, MSFT: 400 }, rejectUnknownSymbols: true });
  const acceptor = await FixAcceptor.listen({ senderCompId: 'VENUE', counterparties: ['EMS1', 'EMS2'], application: app });
  cleanups.push(() => acceptor.close());
  return {
    app,
    connect: async (compId) => {
      const fix = await connectFix({ host: '127.0.0.1', port: acceptor.port, senderCompId: compId, targetCompId: 'VENUE' });
      cleanups.push(() => fix.close());
      const inbox: FixMessage[] = [];
      let wake: (() => void) | undefined;
      fix.on('message', (m) => {
        inbox.push(m);
        wake?.();
      });
      const take = async (count: number): Promise<FixMessage[]> => {
        const until = Date.now() + 5_000;
        while (inbox.length < count) {
          if (Date.now() > until) throw new Error(`expected ${count} messages, got ${inbox.map(String).join('\n')}`);
          await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
        }
        return inbox.splice(0, count);
      };
      return { fix, inbox, take };
    },
  };
}

function order(clOrdId: string, side: '1' | '2', qty: number | string, price?: string, symbol = 'AAPL', extra: FixFields = []): FixFields {
  return [
    [11, clOrdId], [21, '1'], [38, qty], [40, price === undefined ? '1' : '2'], ...(price === undefined ? [] : [[44, price] as const]),
    [54, side], [55, symbol], [60, formatUtcTimestamp(Date.now(), false)], ...extra,
  ];
}

const fields = (m: FixMessage, ...tags: number[]): Array<string | undefined> => tags.map((t) => m.get(t));

describe('venue application over FIX', () => {
  it('acknowledges a crossing limit order and fills it at the best offer with LastQty, LastPx, CumQty, LeavesQty and AvgPx', async () => {
    const v = await venue();
    const ems = await v.connect('EMS1');
    expect(v.app.book('AAPL')).toBeUndefined(); // books open on first use
    ems.fix.send('D', order('c1', '1', 100, '100.05'));
    const [ack, fill] = await ems.take(2);
    expect(fields(ack, 35, 11, 150, 39, 14, 151, 6)).toEqual(['8', 'c1', '0', '0', '0', '100', '0']);
    expect(fields(fill, 11, 150, 39, 32, 31, 14, 151, 6, 55, 54)).toEqual(['c1', 'F', '2', '100', '100.01', '100', '0', '100.01', 'AAPL', '1']);
    expect(fill.get(37)).toBe(ack.get(37));
    expect(fill.get(17)).not.toBe(ack.get(17));
  });

  it('walks the book for a large order: partial fills at each level, then the rest on the book, cancelled on request', async () => {
    const v = await venue();
    const ems = await v.connect('EMS1');
    ems.fix.send('D', order('probe', '1', 1, '100.01'));
    await ems.take(2);
    const [first, second] = v.app.book('AAPL')!.depth('sell', 2);
    const qty = first.qty + second.qty + 500;
    ems.fix.send('D', order('big', '1', qty, '100.02'));
    const [ack, fill1, fill2] = await ems.take(3);
    expect(fields(ack, 39, 151)).toEqual(['0', String(qty)]);
    expect(fields(fill1, 150, 39, 32, 31, 14)).toEqual(['F', '1', String(first.qty), '100.01', String(first.qty)]);
    expect(fields(fill2, 150, 39, 32, 31, 14, 151)).toEqual(['F', '1', String(second.qty), '100.02', String(first.qty + second.qty), '500']);
    const avg = (first.qty * 100.01 + second.qty * 100.02) / (first.qty + second.qty);
    expect(Number(fill2.get(6))).toBeCloseTo(avg, 6);
    expect(v.app.book('AAPL')!.best('buy')).toEqual({ priceTicks: 10_002, qty: 500 });

    ems.fix.send('F', [[11, 'big-cxl'], [41, 'big'], [54, '1'], [55, 'AAPL'], [60, formatUtcTimestamp(Date.now(), false)]]);
    const [canceled] = await ems.take(1);
    expect(fields(canceled, 35, 150, 39, 11, 41, 151, 14)).toEqual(['8', '4', '4', 'big-cxl', 'big', '0', String(first.qty + second.qty)]);

    ems.fix.send('F', [[11, 'again'], [41, 'big'], [54, '1'], [55, 'AAPL'], [60, formatUtcTimestamp(Date.now(), false)]]);
    ems.fix.send('F', [[11, 'nope'], [41, 'never-sent'], [54, '1'], [55, 'AAPL'], [60, formatUtcTimestamp(Date.now(), false)]]);
    const [tooLate, unknown] = await ems.take(2);
    expect(fields(tooLate, 35, 11, 41, 39, 102, 434)).toEqual(['9', 'again', 'big', '4', '0', '1']);
    expect(fields(unknown, 35, 11, 41, 37, 102)).toEqual(['9', 'nope', 'never-sent', 'NONE', '1']);
  });

  it('rejects bad quantity, price off the tick, unsupported order type and unknown symbol with OrdRejReason and Text', async () => {
    const v = await venue();
    const ems = await v.connect('EMS1');
    ems.fix.send('D', order('q0', '1', 0, '100'));
    ems.fix.send('D', order('px', '1', 100, '100.005'));
    ems.fix.send('D', order('stop', '1', 100, '100', 'AAPL').map(([t, val]) => (t === 40 ? [40, '3'] as const : [t, val] as const)));
    ems.fix.send('D', order('sym', '1', 100, '10', 'NOPE'));
    const rejects = await ems.take(4);
    expect(rejects.map((m) => fields(m, 11, 150, 39, 103))).toEqual([
      ['q0', '8', '8', '13'], ['px', '8', '8', '99'], ['stop', '8', '8', '11'], ['sym', '8', '8', '1'],
    ]);
    expect(rejects.every((m) => (m.get(58) ?? '').length > 0)).toBe(true);
  });

  it('trades client against client across sessions and reports the fill to both', async () => {
    const v = await venue();
    const maker = await v.connect('EMS1');
    const taker = await v.connect('EMS2');
    maker.fix.send('D', order('m1', '2', 300, '100.01'));
    await maker.take(1);
    const houseAsk = v.app.book('AAPL')!.depth('sell')[0].qty - 300;
    taker.fix.send('D', order('t1', '1', houseAsk + 200, '100.01'));
    const [, houseFill, clientFill] = await taker.take(3);
    expect(fields(houseFill, 32, 39)).toEqual([String(houseAsk), '1']);
    expect(fields(clientFill, 32, 39, 151)).toEqual(['200', '2', '0']);
    const [makerFill] = await maker.take(1);
    expect(fields(makerFill, 11, 150, 39, 32, 31, 151)).toEqual(['m1', 'F', '1', '200', '100.01', '100']);
  });

  it('answers a MarketDataRequest with best bid and offer per symbol, and streams changes to a subscription', async () => {
    const v = await venue();
    const ems = await v.connect('EMS1');
    ems.fix.send('V', [[262, 'md1'], [263, '1'], [264, 1], [267, 2], [269, '0'], [269, '1'], [146, 2], [55, 'AAPL'], [55, 'MSFT']]);
    const [aapl, msft] = await ems.take(2);
    const entries = (m: FixMessage) => m.tags.flatMap((t, i) => (t === 269 ? [[m.values[i], m.values[i + 1], m.values[i + 2]]] : []));
    expect(fields(aapl, 35, 262, 55, 268)).toEqual(['W', 'md1', 'AAPL', '2']);
    expect(entries(aapl).map(([type, px]) => [type, px])).toEqual([['0', '99.99'], ['1', '100.01']]);
    expect(entries(msft).map(([type, px]) => [type, px])).toEqual([['0', '399.99'], ['1', '400.01']]);

    ems.fix.send('D', order('inside', '1', 100, '100.00'));
    const [, update] = await ems.take(2);
    expect(fields(update, 35, 262, 55)).toEqual(['W', 'md1', 'AAPL']);
    expect(entries(update)[0]).toEqual(['0', '100.00', '100']);

    ems.fix.send('V', [[262, 'md2'], [263, '0'], [264, 1], [267, 1], [269, '0'], [146, 1], [55, 'ZZZZ']]);
    const [reject] = await ems.take(1);
    expect(fields(reject, 35, 262, 281)).toEqual(['Y', 'md2', '0']);
  });

  it('answers other application messages with a BusinessMessageReject', async () => {
    const v = await venue();
    const ems = await v.connect('EMS1');
    ems.fix.send('d', [[320, 'r'], [322, 's'], [323, 1]]);
    const [reject] = await ems.take(1);
    expect(fields(reject, 35, 372, 380, 58)).toEqual(['j', 'd', '3', 'Unsupported Message Type']);
  });
});
