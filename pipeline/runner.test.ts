/**
 * The layers as a data engineer runs them, through the real command: a run skipped while another holds the layer's
 * lock, a schedule that survives failing runs and stops cleanly on SIGTERM, and a stream that ingests the embedded
 * event log continuously and rebuilds silver and gold as new events are committed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../test/cli.js';
import { LocalObjectStore } from '../store/local-store.js';
import { goldLog } from '../gold/manifest.js';
import { silverLog } from '../silver/manifest.js';
import { LakeLock } from './lake-lock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('lakehouse run', () => {
  it('skips a layer whose lock another run holds, naming the holder (exit 1)', async () => {
    const lake = join(dir, 'locked');
    const lock = await LakeLock.acquire({ store: new LocalObjectStore({ root: lake }), name: 'silver', purpose: 'a long silver run' });
    try {
      const r = await runCli(['run', 'silver', '--lake', lake, '--business-date', '2026-03-02']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/lakehouse: run silver skipped: _locks\/silver\.json is locked by .+ \(a long silver run\)/);
    } finally {
      await lock.release();
    }
  });

  it('refuses a bad cron expression and two modes at once (exit 2)', async () => {
    const bad = await runCli(['run', 'silver', '--schedule', 'every minute', '--lake', join(dir, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--schedule: "every minute" is not a cron expression');
    const both = await runCli(['run', 'all', '--schedule', '* * * * *', '--stream', '--lake', join(dir, 'x')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--schedule and --stream are two modes');
  });

  it('keeps a schedule going through failing runs, and stops cleanly on SIGTERM', async () => {
    // Gold on a lake without silver fails at every tick (every second).
    const child = spawnCli(['run', 'gold', '--schedule', '* * * * * *', '--lake', join(dir, 'empty'), '--business-date', '2026-03-02'], { env: { LOG_LEVEL: 'info' } });
    const result = collect(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    try {
      await until('two failed runs', async () => (stderr.match(/"msg":"gold run failed"/g) ?? []).length >= 2, 20_000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    const r = await result;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('running gold on schedule "* * * * * *" (UTC) until stopped');
    expect(stderr).toContain('silver has no version yet: run silver first');
    expect(stderr).toContain('"msg":"scheduler stopped"');
  }, 30_000);

  it('streams: ingests the event log continuously and rebuilds silver and gold as new events arrive', async () => {
    const lake = join(dir, 'stream');
    const store = new LocalObjectStore({ root: lake });
    const simulate = async (seed: number, startDate: string) => {
      const r = await runCli(['simulate', '--lake', lake, '--seed', String(seed), '--days', '1', '--start-date', startDate, '--trades-per-day', '150', '--business-date', startDate]);
      expect(r.code, r.stderr).toBe(0);
    };
    await simulate(1, '2026-03-02');
    const child = spawnCli(['run', 'all', '--stream', '--interval-ms', '300', '--lake', lake, '--business-date', '2026-03-03'], { env: { LOG_LEVEL: 'info' } });
    const result = collect(child);
    try {
      const first = await until('a first gold version', async () => (await goldLog(store).latest())?.manifest);
      expect(Object.keys(first.runs[0].entities).sort()).toEqual(['BANK_A', 'BANK_B', 'BANK_C']);
      const silverBefore = (await silverLog(store).latest())!.version;
      await simulate(2, '2026-03-03');
      await until('silver to take the new events', async () => ((await silverLog(store).latest())?.version ?? 0) > silverBefore);
      const restated = await until('gold to restate 2026-03-03', async () => {
        const head = await goldLog(store).latest();
        return head !== null && head.manifest.runs.length > first.runs.length ? head.manifest : null;
      });
      expect(restated.runs.at(-1)!.restates).toBe(first.runs[0].version);
    } finally {
      child.kill('SIGTERM');
    }
    const r = await result;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/^streaming from the event log .+ into bronze, silver and gold rebuilt as new data is committed \(every 300 ms\) until stopped\n/);
    expect(r.stderr).toContain('"msg":"stream stopped"');
  }, 180_000);
});
