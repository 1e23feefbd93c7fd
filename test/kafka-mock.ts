/**
 * librdkafka's mock Kafka cluster for tests: a real wire-protocol broker in a process of its own.
 * `buildKafkaMock()` compiles test/kafka-mock.c once (cached by source hash); `startKafkaMock()` runs one cluster.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The directory with package.json above this file: test/ when run from source, dist/test/ when compiled (bench). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const repoRoot = findRepoRoot();
const sourcePath = join(repoRoot, 'test', 'kafka-mock.c');
const installHint = 'apt-get install -y librdkafka-dev';

/** Compiles the mock launcher unless a binary of the same source is cached; returns the binary's path. */
export async function buildKafkaMock(): Promise<string> {
  const source = await readFile(sourcePath);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const cacheDir = join(repoRoot, 'node_modules', '.cache', 'lakehouse');
  const binary = join(cacheDir, `kafka-mock-${hash}`);
  if (existsSync(binary)) return binary;
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) {
    throw new Error(`the Kafka mock needs librdkafka's headers: run \`${installHint}\``);
  }
  await mkdir(cacheDir, { recursive: true });
  // Another test process may build at the same time: each builds under its own name, rename is atomic.
  const temp = `${binary}.${process.pid}.tmp`;
  try {
    await run('gcc', ['-O2', '-include', 'stdlib.h', '-o', temp, sourcePath, '-lrdkafka', '-ldl']);
  } catch (err) {
    await rm(temp, { force: true });
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const hint = /rdkafka.*No such file|cannot find -lrdkafka/.test(stderr) ? ` (run \`${installHint}\`)` : '';
    throw new Error(`compiling the Kafka mock failed${hint}: ${stderr.trim() || String(err)}`, { cause: err });
  }
  await rename(temp, binary);
  return binary;
}

export interface KafkaMock {
  /** host:port of every broker, stable across restart(). */
  brokers: string[];
  stop(): Promise<void>;
  /** Stops and starts the cluster on the same ports; its state (topics re-created empty, groups, offsets) is lost. */
  restart(): Promise<void>;
}

export interface KafkaMockOptions {
  binary: string;
  brokers?: number;
  /** Topic name -> partition count, created at start (the mock cannot create topics through the admin API). */
  topics: Record<string, number>;
  /** Broker i listens on portBase + i; default a free range. */
  portBase?: number;
}

export async function startKafkaMock(options: KafkaMockOptions): Promise<KafkaMock> {
  const brokerCount = options.brokers ?? 1;
  const args = [String(brokerCount), ...Object.entries(options.topics).map(([t, n]) => `${t}:${n}`)];
  let portBase = options.portBase;
  let child: ChildProcess | undefined;
  let brokers: string[] = [];
  // A free range can be taken between the probe and the mock's bind: retry with another one.
  for (let attempt = 0; ; attempt++) {
    const base = portBase ?? (await freePortRange(brokerCount));
    try {
      ({ child, brokers } = await spawnMock(options.binary, args, base));
      portBase = base;
      break;
    } catch (err) {
      if (options.portBase !== undefined || attempt >= 4) throw err;
    }
  }
  const fixedBase = portBase;
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c) await stopProcess(c);
  };
  return {
    brokers,
    stop,
    async restart() {
      await stop();
      ({ child } = await spawnMock(options.binary, args, fixedBase));
    },
  };
}

async function spawnMock(binary: string, args: string[], portBase: number): Promise<{ child: ChildProcess; brokers: string[] }> {
  // stdin stays an open pipe: the mock exits when it closes, i.e. when this process dies.
  const child = spawn(binary, args, {
    env: { ...process.env, MOCK_WATCH_STDIN: '1', MOCK_PORT_BASE: String(portBase) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const brokers = await new Promise<string[]>((resolvePromise, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      resolvePromise(out.slice(0, nl).trim().split(','));
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the Kafka mock exited (${code ?? signal}) before listening: ${stderr.trim()}`)));
  });
  child.stdout!.resume();
  return { child, brokers };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => { clearTimeout(killTimer); resolvePromise(); });
    child.kill('SIGTERM');
  });
}

/** A base port whose next `count` ports are free now, from a range away from the usual service ports. */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let i = 0; i < count && free; i++) free = await portIsFree(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found for the Kafka mock`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}
