/**
 * The run log: one object per run, success or failure, never in the way of the job's own result; closed days folded
 * into one object without losing a run; metrics.runs as SQL, also on an empty lake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../store/local-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { TerminalError } from '../lib/errors.js';
import { openCatalog } from '../sql/catalog.js';
import { openAnalystCatalog } from '../sql/analyst-catalog.js';
import { runReadOnlyQuery } from '../sql/read-only-query.js';
import { recordRun, safeErrorMessage, withRunLog } from './run-log.js';
import { readRuns, runLogStamp } from './read-runs.js';
import { compactClosedDays, compactDay } from './compact-runs.js';
import { runKey, type RunRecord } from './run-record.js';

let dir: string;
let store: LocalObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-log-'));
  store = new LocalObjectStore({ root: join(dir, 'lake') });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A clock that moves on by `stepMs` at every reading. */
function steppingClock(startIso: string, stepMs = 1500): () => number {
  let t = Date.parse(startIso) - stepMs;
  return () => (t += stepMs);
}

function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function run(overrides: Partial<RunRecord> & Pick<RunRecord, 'run_id' | 'started_at' | 'ended_at'>): RunRecord {
  return {
    layer: 'silver', trigger: 'schedule', status: 'succeeded', business_date: '2026-03-02', duration_s: 1, rows_in: 1, rows_out: 1,
    rows_rejected: 0, input_versions: { bronze: 1 }, output_version: 1, detail: null, error: null, host: 'h', pid: 1, ...overrides,
  };
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('withRunLog', () => {
  it('records a run with its outcome and returns the job\'s own result unchanged', async () => {
    const result = { published: true, version: 7 };
    const got = await withRunLog(store, { layer: 'silver', trigger: 'cli', businessDate: '2026-03-02', clock: steppingClock('2026-03-02T09:30:00Z') },
      async () => result,
      (r) => ({ status: 'succeeded', rowsIn: 10, rowsOut: 8, rowsRejected: 2, inputVersions: { bronze: 3 }, outputVersion: r.version, detail: 'built' }));
    expect(got).toBe(result);
    const runs = await readRuns(store);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      layer: 'silver', trigger: 'cli', status: 'succeeded', business_date: '2026-03-02', started_at: '2026-03-02T09:30:00.000Z',
      ended_at: '2026-03-02T09:30:01.500Z', duration_s: 1.5, rows_in: 10, rows_out: 8, rows_rejected: 2, input_versions: { bronze: 3 },
      output_version: 7, detail: 'built', error: null, pid: process.pid,
    });
    expect((await store.list('_runs/')).map((o) => o.key)).toEqual([runKey(runs[0])]);
    expect(runKey(runs[0])).toMatch(/^_runs\/dt=2026-03-02\/20260302T093000\.000Z-silver-[0-9a-f-]{36}\.json$/);
  });

  it('records a failed run with its message, secrets taken out and no stack, and rethrows the very error', async () => {
    const error = new TerminalError('upload to s3://AKIAABCDEFGHIJKLMNOP:hunter2@bucket/x failed: password=hunter2, Authorization: Bearer abc.def');
    const thrown = await withRunLog(store, { layer: 'gold', trigger: 'schedule', businessDate: '2026-03-02' }, async () => {
      throw error;
    }).catch((e: unknown) => e);
    expect(thrown).toBe(error);
    const [failed] = await readRuns(store);
    expect(failed).toMatchObject({ layer: 'gold', status: 'failed', detail: 'TerminalError', rows_in: null, rows_out: null, output_version: null });
    expect(failed.error).toContain('upload to s3://[redacted]@bucket/x failed');
    expect(failed.error).not.toMatch(/hunter2|AKIA|abc\.def/);
    expect(failed.error).not.toContain('\n    at ');
  });

  it('does not let a run log that cannot be written change the job\'s result or error, and says so in the log', async () => {
    const broken: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      put: async () => { throw new Error('disk full'); },
    });
    const capture = capturingLogger();
    await expect(withRunLog(broken, { layer: 'ingest', trigger: 'cli', logger: capture.logger }, async () => ({ status: 'succeeded' as const, rowsIn: 1 })))
      .resolves.toEqual({ status: 'succeeded', rowsIn: 1 });
    const jobError = new Error('the job failed');
    await expect(withRunLog(broken, { layer: 'ingest', trigger: 'cli', logger: capture.logger }, async () => { throw jobError; })).rejects.toBe(jobError);
    expect(capture.lines.filter((l) => l.msg === 'run log: writing the run failed; the job result stands')).toHaveLength(2);
    expect(capture.lines.every((l) => !JSON.stringify(l).includes('at withRunLog'))).toBe(true);
  });

  it('records a run whose outcome cannot be described as succeeded without counts', async () => {
    await withRunLog(store, { layer: 'silver', trigger: 'cli' }, async () => 1, () => { throw new Error('no manifest'); });
    expect(await readRuns(store)).toMatchObject([{ status: 'succeeded', detail: 'outcome unavailable', rows_in: null }]);
  });

  it('changes the run log stamp when a run is logged today, so a long-lived catalog knows to reopen', async () => {
    const before = await runLogStamp(store);
    await withRunLog(store, { layer: 'gold', trigger: 'stream' }, async () => ({ status: 'unchanged' as const }));
    const after = await runLogStamp(store);
    expect(after).not.toBe(before);
    expect(await runLogStamp(store)).toBe(after);
  });

  it('reads the runs started since a time', async () => {
    for (const [i, at] of ['2026-03-01T23:59:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-03T08:00:00.000Z'].entries()) {
      await recordRun(store, run({ run_id: uuid(i), started_at: at, ended_at: at }), { compact: false });
    }
    expect((await readRuns(store, { since: '2026-03-02T00:00:00Z' })).map((r) => r.run_id)).toEqual([uuid(1), uuid(2)]);
    expect((await readRuns(store)).map((r) => r.run_id)).toEqual([uuid(0), uuid(1), uuid(2)]);
  });
});

describe('compaction', () => {
  it('folds each closed day into one object, leaves open days alone, and reads the same runs after', async () => {
    const times = ['2026-03-01T10:00:00.000Z', '2026-03-01T11:00:00.000Z', '2026-03-02T09:00:00.000Z', '2026-03-02T23:30:00.000Z', '2026-03-03T00:10:00.000Z'];
    for (const [i, at] of times.entries()) await recordRun(store, run({ run_id: uuid(i), started_at: at, ended_at: at }), { compact: false });
    const before = await readRuns(store);
    // 00:30 on the 3rd: the 2nd closes at 01:00 (runs may still arrive late), the 1st is closed.
    expect(await compactClosedDays(store, { now: Date.parse('2026-03-03T00:30:00Z') })).toBe(2);
    expect((await store.list('_runs/')).map((o) => o.key.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, 'ID'))).toEqual([
      '_runs/dt=2026-03-01/_compacted-000001.jsonl',
      '_runs/dt=2026-03-02/20260302T090000.000Z-silver-ID.json',
      '_runs/dt=2026-03-02/20260302T233000.000Z-silver-ID.json',
      '_runs/dt=2026-03-03/20260303T001000.000Z-silver-ID.json',
    ]);
    expect(await compactClosedDays(store, { now: Date.parse('2026-03-04T02:00:00Z') })).toBe(3);
    expect((await store.list('_runs/')).map((o) => o.key)).toEqual([
      '_runs/dt=2026-03-01/_compacted-000001.jsonl', '_runs/dt=2026-03-02/_compacted-000001.jsonl', '_runs/dt=2026-03-03/_compacted-000001.jsonl',
    ]);
    expect(await readRuns(store)).toEqual(before);
  });

  it('still reads a run written late into a compacted day, and folds it into the next generation', async () => {
    await recordRun(store, run({ run_id: uuid(1), started_at: '2026-03-01T10:00:00.000Z', ended_at: '2026-03-01T10:00:00.000Z' }), { compact: false });
    await compactDay(store, '2026-03-01');
    await recordRun(store, run({ run_id: uuid(2), started_at: '2026-03-01T23:59:00.000Z', ended_at: '2026-03-01T23:59:59.000Z' }), { compact: false });
    expect((await readRuns(store)).map((r) => r.run_id)).toEqual([uuid(1), uuid(2)]);
    expect(await compactDay(store, '2026-03-01')).toBe(1);
    expect((await store.list('_runs/')).map((o) => o.key)).toEqual(['_runs/dt=2026-03-01/_compacted-000002.jsonl']);
    expect((await readRuns(store)).map((r) => r.run_id)).toEqual([uuid(1), uuid(2)]);
  });

  it('lets one of two racing compactors win and loses no run either way', async () => {
    for (let i = 0; i < 20; i++) {
      const at = new Date(Date.parse('2026-03-01T10:00:00Z') + i * 60_000).toISOString();
      await recordRun(store, run({ run_id: uuid(i), started_at: at, ended_at: at }), { compact: false });
    }
    const results = await Promise.all([compactDay(store, '2026-03-01'), compactDay(store, '2026-03-01'), readRuns(store)]);
    expect(results.slice(0, 2).filter((r) => r === 20)).toHaveLength(1);
    expect((results[2] as RunRecord[]).map((r) => r.run_id)).toEqual(Array.from({ length: 20 }, (_, i) => uuid(i)));
    expect((await readRuns(store)).map((r) => r.run_id)).toEqual(Array.from({ length: 20 }, (_, i) => uuid(i)));
  });
});

describe('metrics.runs', () => {
  it('is an empty table with the run log\'s columns on an empty lake', async () => {
    const catalog = await openCatalog({ store });
    try {
      const described = (await catalog.db.connection.runAndReadAll('DESCRIBE metrics.runs')).getRowObjectsJson().map((r) => `${String(r.column_name)} ${String(r.column_type)}`);
      expect(described).toEqual([
        'run_id VARCHAR', 'layer VARCHAR', 'trigger VARCHAR', 'status VARCHAR', 'business_date DATE', 'started_at TIMESTAMP WITH TIME ZONE',
        'ended_at TIMESTAMP WITH TIME ZONE', 'duration_s DOUBLE', 'rows_in BIGINT', 'rows_out BIGINT', 'rows_rejected BIGINT', 'input_versions JSON',
        'output_version INTEGER', 'detail VARCHAR', 'error VARCHAR', 'host VARCHAR', 'pid INTEGER',
      ]);
      expect((await catalog.db.connection.runAndReadAll('SELECT count(*) FROM metrics.runs')).getRows()[0][0]).toBe(0n);
      expect((await catalog.db.connection.runAndReadAll('SELECT count(*) FROM metrics.last_runs')).getRows()[0][0]).toBe(0n);
    } finally {
      catalog.close();
    }
  });

  it('answers analysts\' SQL on the read-only catalog, compacted days and loose runs alike, with the last run per layer', async () => {
    await recordRun(store, run({ run_id: uuid(1), started_at: '2026-03-01T10:00:00.000Z', ended_at: '2026-03-01T10:00:02.000Z', duration_s: 2 }), { compact: false });
    await compactDay(store, '2026-03-01');
    await recordRun(store, run({ run_id: uuid(2), started_at: '2026-03-02T10:00:00.000Z', ended_at: '2026-03-02T10:00:03.000Z', status: 'failed', error: 'check "x" failed', rows_in: null, rows_out: null, output_version: null }), { compact: false });
    await recordRun(store, run({ run_id: uuid(3), layer: 'gold', started_at: '2026-03-02T11:00:00.000Z', ended_at: '2026-03-02T11:00:01.000Z', input_versions: { silver: 4 } }), { compact: false });
    const catalog = await openAnalystCatalog({ store });
    try {
      const runs = await runReadOnlyQuery(catalog, `SELECT run_id, layer, status, started_at, duration_s, error, input_versions->>'silver' AS silver FROM metrics.runs`);
      expect(runs.rows).toEqual([
        { run_id: uuid(1), layer: 'silver', status: 'succeeded', started_at: '2026-03-01T10:00:00Z', duration_s: 2, error: null, silver: null },
        { run_id: uuid(2), layer: 'silver', status: 'failed', started_at: '2026-03-02T10:00:00Z', duration_s: 1, error: 'check "x" failed', silver: null },
        { run_id: uuid(3), layer: 'gold', status: 'succeeded', started_at: '2026-03-02T11:00:00Z', duration_s: 1, error: null, silver: '4' },
      ]);
      const last = await runReadOnlyQuery(catalog, 'SELECT layer, status, ok, last_success_at FROM metrics.last_runs');
      expect(last.rows).toEqual([
        { layer: 'gold', status: 'succeeded', ok: true, last_success_at: '2026-03-02T11:00:01Z' },
        { layer: 'silver', status: 'failed', ok: false, last_success_at: '2026-03-01T10:00:02Z' },
      ]);
    } finally {
      catalog.close();
    }
  });
});

describe('safeErrorMessage', () => {
  it('keeps the message, drops credentials and caps the length', () => {
    expect(safeErrorMessage(new Error('token=abc123 and secretAccessKey: "xyz"'))).toBe('token=[redacted] and secretAccessKey: "[redacted]"');
    expect(safeErrorMessage('plain')).toBe('plain');
    expect(safeErrorMessage(new Error('x'.repeat(5000)))).toHaveLength(2000);
  });
});
