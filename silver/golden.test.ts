/**
 * Golden test: a fixture of bronze records (silver/golden/trades.input.jsonl) in, the silver tables out, compared
 * whole with silver/golden/trades.expected.json. When the expected file is missing it is written (review it, then
 * commit it); on a difference the actual output is written beside it as trades.expected-changed.json.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import { ingestFile } from '../ingest/file-ingest.js';
import { TestLake } from './test-fixtures/lake.js';

const dir = join(import.meta.dirname, 'golden');
let lake: TestLake;

beforeAll(async () => {
  lake = await TestLake.create();
  const writer = await BronzeWriter.open({ store: lake.store });
  try {
    await ingestFile({ path: join(dir, 'trades.input.jsonl'), writer });
  } finally {
    writer.close();
  }
});
afterAll(async () => {
  await lake.close();
});

it('builds the expected silver tables from the fixture records, whole', async () => {
  const build = await lake.build({ businessDate: '2026-03-03' });
  const actual = {
    // The fixture holds trades only: the other topics' counts (all 0) and checks are the entity tests' to pin down.
    counts: { trades: build.counts.trades },
    checks: build.checks.filter((c) => /^trades[._]/.test(c.name) && !c.name.startsWith('trades.dead_letter')),
    trades_history: await lake.query('SELECT * EXCLUDE (source) FROM silver.trades_history ORDER BY trade_id, recorded_from, valid_from'),
    trades_current: await lake.query('SELECT * FROM silver.trades_current ORDER BY trade_id'),
    quarantine: await lake.query('SELECT * EXCLUDE (source) FROM silver.quarantine ORDER BY recorded_at, line'),
  };
  const text = `${JSON.stringify(actual, null, 1)}\n`;
  const expectedPath = join(dir, 'trades.expected.json');
  if (!existsSync(expectedPath)) {
    await writeFile(expectedPath, text);
    return;
  }
  const expected = await readFile(expectedPath, 'utf8');
  if (expected !== text) await writeFile(join(dir, 'trades.expected-changed.json'), text);
  expect(JSON.parse(text)).toEqual(JSON.parse(expected));
});
