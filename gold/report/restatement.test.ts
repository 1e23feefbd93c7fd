/**
 * Two timelines in gold and in the regulator's report: a back-dated correction in silver. The report for the earlier
 * date re-run with --known-at before the correction is byte-identical to the original; without it the restated
 * figures show; gold keeps both versions queryable; `report verify` proves a report against its inputs and names
 * what differs when a file was changed.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLake } from '../../silver/test-fixtures/lake.js';
import { instrument, position, record } from '../../silver/entities/test-events.js';
import { asOfDate, at, bond, deposit as depositOf, holding, landCorrections } from '../test-fixtures/back-dated-correction.js';
import { runCli } from '../../test/cli.js';
import { buildGold } from '../build-gold.js';
import { reportFiles, verifyLcrReport, writeLcrReport, type ReportManifest } from './lcr-report-files.js';

const firstRun = Date.parse('2026-03-04T00:00:00Z');
const beforeCorrection = '2026-03-04T12:00:00Z';
const afterCorrection = Date.parse('2026-03-06T00:00:00Z');

const deposit = (version: number, principal: number) => depositOf(version, principal, { maturity_date: '2026-03-20' });
const treasury = instrument(at, { instrument_id: 'UST1', price: 100 });
const treasuryHolding = position(at, 3000, { position_id: 'BANK_A|B1|UST1', instrument_id: 'UST1', after: { quantity: 3000, cost: 300000, currency: 'USD', trade_count: 1 } });

let lake: TestLake;
let original: ReportManifest;
const dir = (name: string) => join(lake.dir, name);
const bytes = async (d: string) => Object.fromEntries(await Promise.all(Object.values(reportFiles).map(async (f) => [f, await readFile(join(d, f))])));

beforeAll(async () => {
  lake = await TestLake.create();
  await lake.land([
    record('ref.instruments', 'CORP1', bond('AA-'), at),
    record('ref.instruments', 'UST1', treasury, at),
    record('positions', 'BANK_A|B1|CORP1', holding, at),
    record('positions', 'BANK_A|B1|UST1', treasuryHolding, at),
    record('treasury.deals', 'DEP1', deposit(1, 1_000_000), at),
  ]);
  await lake.build({ businessDate: '2026-03-04' });
  await buildGold({ store: lake.store, businessDate: asOfDate, clock: () => firstRun });
  original = await writeLcrReport({ store: lake.store, asOfDate, outDir: dir('original'), clock: () => firstRun });
  await landCorrections(lake, deposit);
  await lake.build({ businessDate: '2026-03-05' });
}, 120_000);
afterAll(async () => {
  await lake.close();
});

describe('a back-dated correction', () => {
  it('leaves the report as known before it byte-identical to the original', async () => {
    const again = await writeLcrReport({ store: lake.store, asOfDate, knownAt: beforeCorrection, outDir: dir('again') });
    expect(again.inputs.silver_version).toBe(2);
    expect(original.inputs.silver_version).toBe(1);
    expect(again.outputs).toEqual(original.outputs);
    expect(await bytes(dir('again'))).toEqual(await bytes(dir('original')));
  });

  it('shows the restated figures in a report without --known-at', async () => {
    const restated = await writeLcrReport({ store: lake.store, asOfDate, outDir: dir('restated'), clock: () => afterCorrection });
    expect(restated.request.known_at).toBe('2026-03-06T00:00:00.000Z');
    expect(restated.entities.BANK_A.lcr).not.toBe(original.entities.BANK_A.lcr);
    const csv = await readFile(join(dir('restated'), reportFiles.csv), 'utf8');
    // Row 7: the 1.2m non-operational corporate deposit at 40% (uninsured).
    expect(csv).toContain(',7,Non-operational deposits (all counterparties),1200000.00,480000.00\n');
    expect(await readFile(join(dir('original'), reportFiles.csv), 'utf8')).toContain(',7,Non-operational deposits (all counterparties),1000000.00,400000.00\n');
  });

  it('is a new gold version for the date: both stay queryable, the restated one is current', async () => {
    const restated = await buildGold({ store: lake.store, businessDate: asOfDate, clock: () => afterCorrection });
    expect([restated.published, restated.reason, restated.version, restated.run.restates]).toEqual([true, 'restated', 2, 1]);
    const versions = await lake.query('SELECT gold_version, is_current, outflows_total, lcr FROM gold.lcr_versions ORDER BY gold_version');
    expect(versions.map((v) => [v.gold_version, v.is_current, v.outflows_total])).toEqual([[1, false, '400000.00'], [2, true, '480000.00']]);
    expect(await lake.query('SELECT gold_version, outflows_total FROM gold.lcr')).toEqual([{ gold_version: 2, outflows_total: '480000.00' }]);
    expect(await lake.query(`SELECT gold_version FROM gold.lcr_as_known(TIMESTAMPTZ '${beforeCorrection}')`)).toEqual([{ gold_version: 1 }]);
    // What was known before the correction, asked again: nothing new to publish.
    const asBefore = await buildGold({ store: lake.store, businessDate: asOfDate, knownAt: beforeCorrection });
    expect([asBefore.published, asBefore.reason, asBefore.run.version]).toEqual([false, 'unchanged', 1]);
    // Known before the facts arrived at all: a run of its own, which does not displace the current one.
    const earlier = await buildGold({ store: lake.store, businessDate: asOfDate, knownAt: '2026-03-02T00:00:00Z' });
    expect([earlier.published, earlier.reason, earlier.version, earlier.run.restates, earlier.run.exposures]).toEqual([true, 'earlier_knowledge', 3, null, 0]);
    expect(await lake.query('SELECT gold_version FROM gold.lcr')).toEqual([{ gold_version: 2 }]);
    expect(await lake.query('SELECT gold_version, is_current FROM gold.runs ORDER BY gold_version')).toEqual([
      { gold_version: 1, is_current: false }, { gold_version: 2, is_current: true }, { gold_version: 3, is_current: false },
    ]);
  });

  it('verifies the original report against silver version 1, file by file', async () => {
    const result = await verifyLcrReport({ store: lake.store, dir: dir('original') });
    expect(result.ok, result.lines.join('\n')).toBe(true);
    expect(result.lines.filter((l) => l.startsWith('SAME'))).toHaveLength(3);
  });

  it('names the file that differs, and where, when a report was changed', async () => {
    const tampered = dir('tampered');
    await writeLcrReport({ store: lake.store, asOfDate, knownAt: beforeCorrection, outDir: tampered });
    const csv = join(tampered, reportFiles.csv);
    await writeFile(csv, (await readFile(csv, 'utf8')).replace('1000000.00,400000.00', '1000000.00,300000.00'));
    const result = await verifyLcrReport({ store: lake.store, dir: tampered });
    expect(result.ok).toBe(false);
    const differs = result.lines.filter((l) => l.startsWith('DIFFERS'));
    expect(differs).toHaveLength(2);
    expect(differs[0]).toMatch(/^DIFFERS  lcr_template\.csv: its SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64} \(changed after it was written\)$/);
    expect(differs[1]).toBe('DIFFERS  lcr_template.csv: rebuilt from silver version 2 it differs from line 6: the report has '
      + '"2026-03-03,BANK_A,USD,basel v1,5,\\"Unsecured wholesale funding, of which:\\",1000000.00,300000.00", the rebuild '
      + '"2026-03-03,BANK_A,USD,basel v1,5,\\"Unsecured wholesale funding, of which:\\",1000000.00,400000.00"');
  });

  it('works from the command line: report lcr, report verify, and clear usage errors', async () => {
    const lakeArgs = ['--lake', join(lake.dir, 'lake')];
    const out = dir('cli');
    const made = await runCli(['report', 'lcr', '--as-of', asOfDate, '--known-at', beforeCorrection, '--out', out, ...lakeArgs]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain('BANK_A: LCR');
    expect((await readdir(out)).sort()).toEqual(['fr2052a_extract.csv', 'lcr_template.csv', 'lcr_template.html', 'manifest.json']);
    expect(await bytes(out)).toEqual(await bytes(dir('original')));
    const verified = await runCli(['report', 'verify', out, ...lakeArgs]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('verified: the report is identical to its rebuild from silver version 2');
    const extract = await readFile(join(out, reportFiles.extract), 'utf8');
    expect(extract.split('\n')[0]).toBe('reporting_entity,as_of_date,fr2052a_table,fr2052a_product,exposure_id,counterparty,currency,reporting_currency,maturity_bucket,maturity_date,market_value,collateral_class,collateral_value,encumbered,insured,operational,lcr_exclusion,lcr_rate_rule,lcr_rate,lcr_weighted_amount');
    expect(extract).toContain('BANK_A,2026-03-03,O.W,O.W.6 Non-Operational Account Balances,DEP1,NON_FINANCIAL_CORPORATE,USD,USD,Day 17,2026-03-20,');

    const cases: [string[], string][] = [
      [['report', 'lcr', '--as-of', asOfDate, ...lakeArgs], '--out DIR is required'],
      [['report', 'lcr', '--as-of', asOfDate, '--out', out, '--known-at', 'tuesday', ...lakeArgs], '--known-at: "tuesday" is not an ISO-8601 time'],
      [['report', 'lcr', '--as-of', asOfDate, '--out', out, '--entity', 'BANK_Z', ...lakeArgs], 'legal entity "BANK_Z" has no exposures on 2026-03-03'],
      [['report', 'verify', lake.dir, ...lakeArgs], 'manifest.json not found: not a report directory'],
      [['report', 'pdf'], 'unknown report "pdf"'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
