/**
 * A real Ceph RADOS Gateway (S3) for the tests: scripts/start-rgw.sh in a fresh temp dir on free ports.
 * The daemons fork away from us, so a detached watchdog shell kills them (pids from DIR/ceph/pids and run/*.pid) if this
 * process dies without calling stop(): a crashed or killed test runner leaves no Ceph behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RgwServer { endpoint: string; accessKeyId: string; secretAccessKey: string; stop(): Promise<void> }

export interface StartRgwOptions {
  /** 0 (default) picks a free port. */
  rgwPort?: number;
  monPort?: number;
  startTimeoutMs?: number;
  /** Keep the temp dir (logs) after stop, for debugging. */
  keepDir?: boolean;
}

const INSTALL = 'apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd';
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/start-rgw.sh');
const ACCESS_KEY = 'TESTKEY';
const SECRET_KEY = 'TESTSECRET';

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The daemons' pids: DIR/pids as the script records them, plus any pid file a daemon wrote since. */
async function readPids(cephDir: string): Promise<number[]> {
  const texts = [await fs.readFile(path.join(cephDir, 'pids'), 'utf8').catch(() => '')];
  const runDir = path.join(cephDir, 'run');
  for (const name of await fs.readdir(runDir).catch(() => [] as string[])) {
    if (name.endsWith('.pid')) texts.push(await fs.readFile(path.join(runDir, name), 'utf8').catch(() => ''));
  }
  const pids = texts.join(' ').split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
  return [...new Set(pids)];
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signal = (pid: number, sig: NodeJS.Signals) => { try { process.kill(pid, sig); } catch { /* already gone */ } };

/** SIGKILL straight away: memstore data is throwaway, and an OSD whose mon went first can hang in shutdown. */
async function killAll(pids: number[], waitMs = 5_000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGKILL');
  const deadline = Date.now() + waitMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
}

/**
 * A detached `sh` that outlives us. When our pid disappears it first kills the start script's process group
 * (so no daemon starts after the sweep), then every daemon pid it can find, then removes DIR.
 */
function startWatchdog(dir: string, scriptPgid: number): number {
  const script = `
    while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
    kill -9 -${scriptPgid} 2>/dev/null
    pids=$(cat "$1/ceph/pids" "$1"/ceph/run/*.pid 2>/dev/null | tr -s ' \n' ' ')
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    sleep 1; rm -rf "$1"`;
  const child = spawn('sh', ['-c', script, 'rgw-watchdog', dir], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

async function s3Answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

export async function startRgw(options: StartRgwOptions = {}): Promise<RgwServer> {
  const missing = ['radosgw', 'ceph-mon', 'ceph-osd', 'radosgw-admin', 'ceph', 'monmaptool'].filter((c) => !hasCommand(c));
  if (missing.length > 0) {
    throw new Error(`Ceph is not installed (missing: ${missing.join(', ')}); install it as root with: ${INSTALL}`);
  }
  const rgwPort = options.rgwPort || await freePort();
  let monPort = options.monPort || await freePort();
  while (monPort === rgwPort) monPort = await freePort();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lakehouse-rgw-'));
  const cephDir = path.join(dir, 'ceph');
  const logFile = path.join(dir, 'start.log');
  const fd = openSync(logFile, 'w');
  // Its own process group, so the whole script (and its `ceph` CLI calls) can be killed at once.
  const script = spawn('bash', [SCRIPT, cephDir, String(rgwPort), String(monPort)], {
    stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, RGW_ACCESS_KEY: ACCESS_KEY, RGW_SECRET_KEY: SECRET_KEY },
  });
  closeSync(fd);
  const watchdog = startWatchdog(dir, script.pid!);

  const endpoint = `http://127.0.0.1:${rgwPort}`;
  let stopped = false;
  const stop = async (keepDir = options.keepDir ?? false) => {
    if (stopped) return;
    stopped = true;
    if (script.exitCode === null) signal(-script.pid!, 'SIGKILL');
    await killAll(await readPids(cephDir));
    signal(-watchdog, 'SIGKILL');
    if (!keepDir) await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RGW did not start within ${options.startTimeoutMs ?? 180_000} ms`)), options.startTimeoutMs ?? 180_000);
      script.once('error', (err) => { clearTimeout(timer); reject(err); });
      script.once('exit', (code) => { clearTimeout(timer); resolve(code); });
    });
    if (exitCode !== 0) throw new Error(`scripts/start-rgw.sh exited with ${exitCode}`);
    const deadline = Date.now() + 30_000;
    while (!(await s3Answers(endpoint))) {
      if (Date.now() > deadline) throw new Error(`RGW at ${endpoint} does not answer`);
      await sleep(200);
    }
  } catch (err) {
    const log = existsSync(logFile) ? (await fs.readFile(logFile, 'utf8')).split('\n').slice(-20).join('\n') : '';
    await stop();
    const kept = options.keepDir ? `; logs in ${dir}` : ' (pass keepDir: true to keep the Ceph logs)';
    throw new Error(`${(err as Error).message}${kept}\n${log}`, { cause: err });
  }
  return { endpoint, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, stop: () => stop() };
}
