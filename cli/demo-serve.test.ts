/**
 * `lakehouse demo --stream`: after the demo's run it serves the dashboard and keeps the simulated market trading; each
 * new day goes through ingest, silver and gold while the server answers, and SIGTERM stops it all cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, spawnCli } from '../test/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'demo-stream-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('lakehouse demo --stream', () => {
  it('serves the dashboard while the market trades on, and stops on SIGTERM', async () => {
    const child = spawnCli(['demo', '--stream', '--port', '0', '--tick-seconds', '2', '--trades-per-day', '200', '--business-date', '2026-03-03'], { cwd });
    const done = collect(child);
    let out = '';
    const seen = (pattern: RegExp, timeoutMs: number) => new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout so far:\n${out}`)), timeoutMs);
      const check = () => {
        const match = pattern.exec(out);
        if (match !== null) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(match);
        }
      };
      const onData = (d: Buffer) => {
        out += d.toString();
        check();
      };
      child.stdout!.on('data', onData);
      check();
    });
    try {
      const [, url] = await seen(/\nDashboard: (http:\/\/127\.0\.0\.1:\d+\/) {3}\(metrics: /, 90_000);
      // A day the demo did not build: the market moved on, and gold followed.
      await seen(/\n2026-03-0[4-9]: gold version \d+: BANK_A \d+\.\d%, BANK_B \d+\.\d%, BANK_C \d+\.\d%\n/, 60_000);
      const dashboard = await (await fetch(`${url}api/dashboard`)).json() as { entities: { dates?: unknown[]; history?: unknown[] }[] };
      expect(dashboard.entities.length).toBe(3);
      expect(await (await fetch(`${url}metrics`)).text()).toMatch(/\nlakehouse_lcr_ratio\{legal_entity="BANK_A"/);
    } finally {
      child.kill('SIGTERM');
    }
    const r = await done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
  }, 180_000);
});
