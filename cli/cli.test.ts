import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';

describe('lakehouse command line', () => {
  it.each(['ingest', 'sql', 'demo', 'simulate'])('prints help for %s and exits 0', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: lakehouse ${command}`));
    expect(r.stdout).toContain('--lake');
  });

  it('lists the commands with --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Commands:');
  });

  it.each([
    [['frobnicate'], 'unknown command: frobnicate'],
    [['ingest'], '--source is required'],
    [['ingest', '--source', 'ftp://x'], 'unknown --source'],
    [['ingest', '--source', 'kafka', '--lake', '/tmp/x'], 'no brokers'],
    [['ingest', '--source', 'file:x', '--bogus'], "Unknown option '--bogus'"],
    [['ingest', '--source', 'file:x', '--max-batch-rows', 'ten'], '--max-batch-rows: "ten" must be an integer'],
    [['sql', 'SELECT 1', '--business-date', '2026-02-30'], '--business-date: "2026-02-30" is not a real date'],
    [['sql', 'SELECT 1', '--format', 'xml'], '--format'],
    [['sql'], 'expected one query argument'],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const r = await runCli(args, { env: { KAFKA_BROKERS: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs the demo on embedded defaults and shows what landed and what was dead-lettered', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'demo-'));
    const r = await runCli(['demo', '--business-date', '2026-03-02'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Simulated 2026-03-01, 2026-03-02: \d+ orders through the OMS, EMS and 3 venues, \d+ trades captured .* \(journal reconciles: true\)/);
    for (const topic of ['executions', 'orders', 'positions', 'ref.counterparties', 'ref.fx_rates', 'ref.instruments', 'trades', 'treasury.deals']) {
      expect(r.stdout).toMatch(new RegExp(`\\n${topic.replace('.', '\\.')} +\\| \\d+`));
    }
    expect(r.stdout).toContain('missing field: topic');
    expect(r.stdout).toContain('{"records":24,"landed":20,"dead_lettered":4,"already_landed":0}');
  });
});
