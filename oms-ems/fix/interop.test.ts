/**
 * Our initiator against two venues in processes of their own: QuickFIX C++ (test/quickfix-venue.cpp, built on first
 * use, needs libquickfix-dev and g++) and our own `lakehouse fix-venue`.
 */
import { describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { collect, runCli, spawnCli } from '../../test/cli.js';
import { listeningPort } from '../../test/fix-venue-process.js';
import type { FixMessage } from './codec.js';
import { connectFix, type FixInitiator } from './initiator.js';
import { startQuickfixVenue } from '../../test/quickfix-peer.js';
import { formatUtcTimestamp } from './utc-timestamp.js';

function inbox(fix: FixInitiator): { take(count: number): Promise<FixMessage[]> } {
  const got: FixMessage[] = [];
  fix.on('message', (m) => got.push(m));
  return {
    async take(count) {
      const until = Date.now() + 10_000;
      while (got.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} messages, got ${got.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return got.splice(0, count);
    },
  };
}

const order = (clOrdId: string, qty: number, price: string) => [
  [11, clOrdId], [21, '1'], [38, qty], [40, '2'], [44, price], [54, '1'], [55, 'AAPL'], [60, formatUtcTimestamp(Date.now(), false)],
] as const;

async function startOurVenue(args: string[]): Promise<{ port: number; child: ChildProcess; result: ReturnType<typeof collect> }> {
  const child = spawnCli(['fix-venue', '--port', '0', ...args]);
  const result = collect(child);
  const port = await listeningPort(child);
  return { port, child, result };
}

describe('FIX interop', () => {
  it('logs on to the QuickFIX C++ venue, sends orders, receives their fills and logs out', async () => {
    const venue = await startQuickfixVenue({ senderCompId: 'QFVENUE', counterparties: ['EMS'] });
    try {
      const fix = await connectFix({ host: '127.0.0.1', port: venue.port, senderCompId: 'EMS', targetCompId: 'QFVENUE' });
      const messages = inbox(fix);
      for (let i = 1; i <= 20; i++) fix.send('D', order(`qf-${i}`, 100 * i, '25.5'));
      const reports = await messages.take(40);
      for (let i = 1; i <= 20; i++) {
        const [ack, fill] = reports.filter((m) => m.get(11) === `qf-${i}`);
        expect([ack.msgType, ack.get(150), ack.get(39), ack.get(151)]).toEqual(['8', '0', '0', String(100 * i)]);
        expect([fill.get(150), fill.get(39), fill.get(32), fill.get(31), fill.get(14), fill.get(151), fill.get(6)]).toEqual(['F', '2', String(100 * i), '25.5', String(100 * i), '0', '25.5']);
      }
      expect(reports.map((m) => m.seqNum)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
      await fix.logout();
      fix.close();
      await new Promise((r) => setTimeout(r, 100));
      expect(venue.output()).toMatch(/logon FIX\.4\.4:QFVENUE->EMS[\s\S]*logout FIX\.4\.4:QFVENUE->EMS/);
    } finally {
      await venue.stop();
    }
  }, 60_000);

  it('trades with lakehouse fix-venue, and the venue logs its sessions out and exits 0 on SIGTERM', async () => {
    const venue = await startOurVenue(['--comp-id', 'VENUE', '--counterparties', 'EMS,OTHER', '--symbols', 'AAPL=50', '--log-level', 'warn']);
    const fix = await connectFix({ host: '127.0.0.1', port: venue.port, senderCompId: 'EMS', targetCompId: 'VENUE' });
    const messages = inbox(fix);
    fix.send('D', order('ours-1', 100, '50.01'));
    const [ack, fill] = await messages.take(2);
    expect([ack.get(150), fill.get(150), fill.get(39), fill.get(31), fill.get(32)]).toEqual(['0', 'F', '2', '50.01', '100']);

    const disconnected = new Promise<string>((resolve) => fix.once('disconnect', resolve));
    venue.child.kill('SIGTERM');
    expect(await disconnected).toBe('logout');
    const result = await venue.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/"level":(50|60)/);
    fix.close();
  });

  it('prints help, and exits 2 with one line on bad arguments', async () => {
    const help = await runCli(['fix-venue', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: lakehouse fix-venue --port <p> --comp-id <id> --counterparties/);
    for (const [args, message] of [
      [['fix-venue', '--comp-id', 'V', '--counterparties', 'A'], '--port is required'],
      [['fix-venue', '--port', '1', '--counterparties', 'A'], '--comp-id is required'],
      [['fix-venue', '--port', '1', '--comp-id', 'V'], '--counterparties is required'],
      [['fix-venue', '--port', '1', '--comp-id', 'V', '--counterparties', 'A', '--app', 'fix'], '--app'],
      [['fix-venue', '--port', '1', '--comp-id', 'V', '--counterparties', 'A', '--symbols', 'AAPL'], '--symbols'],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
