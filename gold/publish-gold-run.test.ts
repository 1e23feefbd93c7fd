/**
 * publishGoldRun on a typed exposure table: the fingerprint that decides whether a rerun publishes anything (the
 * calculator's hash of the rows, and the older hash of runs published before it), and the exposures file it writes
 * (ENUM-encoded columns read back as the same strings).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, quotedString, type DuckDb } from '../lib/duckdb.js';
import { LocalObjectStore } from '../store/local-store.js';
import { publishGoldRun } from './build-gold.js';
import { createExposureTable } from './lcr/test-exposures.js';
import { workedExample } from './lcr/worked-example.js';
import { goldLog } from './manifest.js';
import { loadRegime } from './regime/regime.js';

let db: DuckDb;
let dir: string;
let store: LocalObjectStore;
const regime = loadRegime();
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'publish-gold-'));
  store = new LocalObjectStore({ root: dir });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let hour = 0;
const publish = () => publishGoldRun(db.connection, {
  store, asOfDate: '2025-06-30', knownAt: new Date(Date.UTC(2025, 6, 1, hour++)).toISOString(), knownAtGiven: true, newestEventAt: null,
  silverVersion: 1, regime, internalLimit: '1.10', exposures: 'exposures', exposureCount: workedExample.length,
});

describe('publishGoldRun', () => {
  it('publishes again only when an exposure changed, even one the figures do not depend on', async () => {
    await createExposureTable(db.connection, workedExample);
    const first = await publish();
    expect([first.published, first.reason, first.run.fingerprintFormat]).toEqual([true, 'built', 2]);
    expect((await publish()).reason).toBe('unchanged');
    await db.connection.run("UPDATE exposures SET currency = 'EUR' WHERE exposure_id = 'CASH1'");
    const restated = await publish();
    expect([restated.reason, restated.report]).toEqual(['restated', first.report]);
    expect((await publish()).reason).toBe('unchanged');
  });

  it('compares with a run published before the calculator hashed the rows by the older fingerprint', async () => {
    const log = goldLog(store);
    const head = (await log.latest())!;
    const current = head.manifest.runs.find((r) => r.version === head.manifest.current['2025-06-30'])!;
    const [rows] = (await db.connection.runAndReadAll('SELECT count(*) AS n, coalesce(bit_xor(hash(e)), 0) AS h FROM exposures e')).getRowObjectsJson();
    const fingerprint = createHash('sha256').update(JSON.stringify({
      report: (await publish()).report, regime: [regime.id, regime.version], internalLimit: '1.10', exposures: [String(rows.n), String(rows.h)],
    })).digest('hex');
    const { fingerprintFormat: _, ...older } = { ...current, fingerprint };
    await log.commit(head.version + 1, { ...head.manifest, version: head.version + 1, runs: head.manifest.runs.map((r) => (r === current ? older : r)) });
    expect((await publish()).reason).toBe('unchanged');
    await db.connection.run("UPDATE exposures SET direction = 'inflow' WHERE exposure_id = 'CASH1'");
    expect((await publish()).reason).toBe('restated');
  });

  it('writes the exposures as they are: the same strings, types and rows', async () => {
    const head = (await goldLog(store).latest())!;
    const file = quotedString(join(dir, 'gold', head.manifest.runs.at(-1)!.files.liquidity_exposures.path));
    const sql = db.connection;
    const types = async (q: string) => (await sql.runAndReadAll(`DESCRIBE ${q}`)).getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
    expect(await types(`SELECT * EXCLUDE (gold_version) FROM read_parquet(${file})`)).toEqual(await types('SELECT * FROM exposures'));
    const differ = await sql.runAndReadAll(`SELECT count(*) AS n FROM ((SELECT * EXCLUDE (gold_version) FROM read_parquet(${file}) EXCEPT ALL SELECT * FROM exposures)
      UNION ALL (SELECT * FROM exposures EXCEPT ALL SELECT * EXCLUDE (gold_version) FROM read_parquet(${file})))`);
    expect(differ.getRowObjectsJson()).toEqual([{ n: '0' }]);
    const product = await sql.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${file}) WHERE product = 'SECURITY' AND collateral_class = 'L2A'`);
    expect(product.getRowObjectsJson()).toEqual([{ n: '2' }]);
  });
});
