/** `lakehouse dashboard` as users run it (the built command): its URL on stdout, bad usage, and a clean stop. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../test/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lakehouse dashboard', () => {
  it('prints its help and exits 0', async () => {
    const r = await runCli(['dashboard', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lakehouse dashboard/);
    expect(r.stdout).toContain('--internal-limit');
    expect(r.stdout).toContain('--lake');
  });

  it.each([
    [['--port', '70000'], '--port: must be <= 65535'],
    [['--port', 'eighty'], '--port: "eighty" must be an integer'],
    [['--internal-limit', '110%'], '--internal-limit: "110%" must be a positive ratio'],
    [['--format', 'json'], '--format does not apply'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on %j', async (args, message) => {
    const r = await runCli(['dashboard', '--lake', join(dir, 'lake'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('prints its URLs, serves a lake without gold yet, /metrics and (with a token) /api/sql, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['dashboard', '--port', '0', '--lake', join(dir, 'lake')], { env: { LAKEHOUSE_SQL_TOKEN: 's3cret-token' } });
    const done = collect(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
        if (match !== null) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`exited before printing its URL: ${out}`)));
    });
    const data = await (await fetch(`${url}api/dashboard`)).json();
    expect(data).toMatchObject({ goldVersion: null, entities: [] });
    const metrics = await fetch(`${url}metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^# HELP lakehouse_/m);
    expect((await fetch(`${url}api/sql`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT 1 AS one' }), headers: { 'Content-Type': 'application/json' } })).status).toBe(401);
    const rows = await fetch(`${url}api/sql`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT 1 AS one' }), headers: { 'Content-Type': 'application/json', Authorization: 'Bearer s3cret-token' } });
    expect(await rows.json()).toMatchObject({ rows: [{ one: 1 }] });
    child.kill('SIGTERM');
    const r = await done;
    expect([r.code, r.stdout]).toEqual([0, `Dashboard: ${url}\nMetrics:   ${url}metrics\nSQL:       POST ${url}api/sql (bearer token from LAKEHOUSE_SQL_TOKEN)\n`]);
    expect(r.stderr).not.toContain('s3cret-token');
  });

  it('exits 1 naming the port when it is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const r = await runCli(['dashboard', '--port', String(port), '--lake', join(dir, 'lake')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      taken.close();
    }
  });
});
