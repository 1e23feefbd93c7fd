import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';

describe('lakehouse command line', () => {
  it.each(['ingest', 'sql', 'demo', 'simulate', 'run'])('prints help for %s and exits 0', async (command) => {
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
    [['run', 'gold', '--reporting-currencies', 'BANK_D'], '--reporting-currencies: "BANK_D" is not ENTITY=CCY'],
    [['run', 'gold', '--reporting-currencies', 'BANK_D=CHF,BANK_D=EUR'], '--reporting-currencies: BANK_D is given twice, as CHF and EUR'],
    [['report', 'lcr', '--out', 'x', '--reporting-currencies', 'BANK_D=chf'], '--reporting-currencies: "BANK_D=chf" is not ENTITY=CCY'],
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
    expect(r.stdout).toMatch(/Built silver version 1 for 2026-03-02: trades (\d+) records = (\d+) accepted \+ (\d+) quarantined; checks all passed/);
    const [, records, accepted, quarantined] = /trades (\d+) records = (\d+) accepted \+ (\d+) quarantined/.exec(r.stdout)!.map(Number);
    expect(accepted + quarantined).toBe(records);
    expect(quarantined).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/Built gold \(version 2\) for 2026-03-01, 2026-03-02: the Basel III LCR per legal entity on 2026-03-02, from \d+ liquidity exposures:\n/);
    for (const [entity, ccy] of [['BANK_A', 'USD'], ['BANK_B', 'EUR'], ['BANK_C', 'GBP']]) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${entity} +LCR +\\d+\\.\\d% +HQLA +\\d+\\.\\d\\d +net cash outflows +\\d+\\.\\d\\d ${ccy}\\n`));
    }
    expect(r.stdout).toMatch(/\n2026-03-02 \| BANK_C +\| \d+\.\d\d +\| \d+\.\d\d +\| \d\.\d{6} \| (true|false) *\n/);
  });

  it('runs silver from the command line: publishes, then has nothing new; then gold', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'run-'));
    const file = join(cwd, 'trades.jsonl');
    const value = { trade_id: 'T1', version: 1, counterparty_id: 'CP1', book_id: 'B1', legal_entity: 'BANK_A', instrument_id: 'X', asset_class: 'EQUITY', side: 'BUY', quantity: 10, price: 5, currency: 'USD', trade_date: '2026-03-02', created_date: '2026-03-02' };
    writeFileSync(file, `${JSON.stringify({ topic: 'trades', key: 'T1', value, timestamp: '2026-03-02T09:00:00Z' })}\n`);
    expect((await runCli(['ingest', '--source', `file:${file}`], { cwd })).code).toBe(0);
    const first = await runCli(['run', 'silver', '--business-date', '2026-03-02', '--format', 'json'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ published: true, version: 1, counts: { trades: { records: 1, accepted: 1, quarantined: 0 } } });
    const again = await runCli(['run', 'silver', '--business-date', '2026-03-02'], { cwd });
    expect(again.stdout).toContain('unchanged at version 1 (nothing new)');
    const current = await runCli(['sql', 'SELECT trade_id, quantity, expired FROM silver.trades_current', '--format', 'json'], { cwd });
    expect(JSON.parse(current.stdout)).toEqual([{ trade_id: 'T1', quantity: '10.0000000000', expired: false }]);
    // One equity trade and no positions or deals: gold publishes a run with no exposures and no entity.
    const gold = await runCli(['run', 'gold', '--business-date', '2026-03-02', '--format', 'json'], { cwd });
    expect(gold.code, gold.stderr).toBe(0);
    expect(JSON.parse(gold.stdout)).toMatchObject({ layer: 'gold', published: true, version: 1, reason: 'built', run: { exposures: 0, entities: {} } });
  });

  it('runs gold for legal entities beyond the defaults once their reporting currencies are given, and verifies the report with them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'entities-'));
    const sim = await runCli(['simulate', '--entities', 'BANK_A,UK_PLC', '--trades-per-day', '40', '--deals-per-day', '6', '--business-date', '2026-03-02'], { cwd });
    expect(sim.code, sim.stderr).toBe(0);
    expect((await runCli(['ingest', '--source', 'eventlog'], { cwd })).code).toBe(0);
    const silver = await runCli(['run', 'silver', '--business-date', '2026-03-02'], { cwd });
    expect(silver.code, silver.stderr).toBe(0);
    // UK_PLC has no default reporting currency: refused, naming the entity and how to give one.
    const refused = await runCli(['run', 'gold', '--business-date', '2026-03-02'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no reporting currency for legal entity UK_PLC: give it one with --reporting-currencies UK_PLC=CCY (env REPORTING_CURRENCIES)');
    const gold = await runCli(['run', 'gold', '--business-date', '2026-03-02', '--reporting-currencies', 'UK_PLC=GBP', '--format', 'json'], { cwd });
    expect(gold.code, gold.stderr).toBe(0);
    const entities = JSON.parse(gold.stdout).run.entities;
    expect(Object.keys(entities).sort()).toEqual(['BANK_A', 'UK_PLC']);
    expect(entities.UK_PLC.reporting_currency).toBe('GBP');
    expect(entities.BANK_A.reporting_currency).toBe('USD');
    const lcr = await runCli(['sql', "SELECT legal_entity, reporting_currency FROM gold.lcr WHERE legal_entity = 'UK_PLC'", '--format', 'json'], { cwd });
    expect(JSON.parse(lcr.stdout)).toEqual([{ legal_entity: 'UK_PLC', reporting_currency: 'GBP' }]);
    // The report takes them from the environment too, keeps them in its manifest, and verify rebuilds with those.
    const out = join(cwd, 'report');
    const report = await runCli(['report', 'lcr', '--as-of', '2026-03-02', '--out', out], { cwd, env: { REPORTING_CURRENCIES: 'UK_PLC=GBP' } });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/UK_PLC: LCR [\d.]+ \(GBP\)/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.request.reporting_currencies).toEqual({ BANK_A: 'USD', BANK_B: 'EUR', BANK_C: 'GBP', UK_PLC: 'GBP' });
    const verify = await runCli(['report', 'verify', out], { cwd });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('verified: the report is identical to its rebuild');
  });
});
