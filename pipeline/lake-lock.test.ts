import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../store/local-store.js';
import { LakeLock, LockHeldError, withLakeLock } from './lake-lock.js';

let dir: string;
let store: LocalObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lock-'));
  store = new LocalObjectStore({ root: dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const holderOf = async () => JSON.parse((await store.get('_locks/silver.json'))!.toString('utf8')) as Record<string, unknown>;

describe('the lake lock', () => {
  it('lets one holder in at a time, naming the holder to the others', async () => {
    const first = await LakeLock.acquire({ store, name: 'silver', purpose: 'run silver 2026-03-02' });
    const refused = await LakeLock.acquire({ store, name: 'silver' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as Error).message).toMatch(/^_locks\/silver\.json is locked by .+ pid \d+ \(run silver 2026-03-02\) since /);
    // Another layer's lock is another lock.
    await withLakeLock({ store, name: 'gold' }, async () => undefined);
    await first.release();
    expect(await store.get('_locks/silver.json')).toBeNull();
    await (await LakeLock.acquire({ store, name: 'silver' })).release();
  });

  it('lets exactly one of several simultaneous takers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => LakeLock.acquire({ store, name: 'silver' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof LockHeldError)).toBe(true);
    await (won[0] as PromiseFulfilledResult<LakeLock>).value.release();
  });

  it('renews its lease while held', async () => {
    const lock = await LakeLock.acquire({ store, name: 'silver', leaseMs: 300 });
    const before = await holderOf();
    await new Promise((r) => setTimeout(r, 450));
    const after = await holderOf();
    expect(Date.parse(String(after.expiresAt))).toBeGreaterThan(Date.parse(String(before.expiresAt)));
    expect(after.owner).toBe(before.owner);
    expect(lock.lost).toBeNull();
    await lock.release();
  });

  it('is taken over once a holder stopped renewing and its lease ran out; the old holder learns it lost the lock', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const stale = await LakeLock.acquire({ store, name: 'silver', leaseMs: 60_000, clock: () => now });
    now += 30_000;
    await expect(LakeLock.acquire({ store, name: 'silver', clock: () => now })).rejects.toBeInstanceOf(LockHeldError);
    now += 31_000;
    const taker = await LakeLock.acquire({ store, name: 'silver', clock: () => now });
    await (stale as unknown as { renew(): Promise<void> }).renew();
    expect(stale.lost).toBe('the lock was taken over after a missed renewal');
    await stale.release(); // does not delete the new holder's lock
    expect(await store.get('_locks/silver.json')).not.toBeNull();
    await taker.release();
  });

  it('is taken over at once when its holder on this host has crashed', async () => {
    const module = fileURLToPath(new URL('../dist/pipeline/lake-lock.js', import.meta.url));
    const storeModule = fileURLToPath(new URL('../dist/store/local-store.js', import.meta.url));
    // A process that takes the lock and dies without releasing it (SIGKILL: no clean-up runs).
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      const { LakeLock } = await import(${JSON.stringify(module)});
      const { LocalObjectStore } = await import(${JSON.stringify(storeModule)});
      await LakeLock.acquire({ store: new LocalObjectStore({ root: ${JSON.stringify(dir)} }), name: 'silver', leaseMs: 600000 });
      console.log('locked');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    expect((await holderOf()).pid).toBe(child.pid);
    await expect(LakeLock.acquire({ store, name: 'silver' })).rejects.toBeInstanceOf(LockHeldError);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = await LakeLock.acquire({ store, name: 'silver' });
    expect((await holderOf()).pid).toBe(process.pid);
    await lock.release();
  });
});
