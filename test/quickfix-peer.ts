/**
 * QuickFIX C++ as a FIX 4.4 peer, for the interop tests and the benchmark (not used by the venue itself):
 * `buildQuickfixVenue` compiles test/quickfix-venue.cpp against Debian's libquickfix-dev (cached by source hash under
 * .cache/quickfix/), `startQuickfixVenue` runs it as an acceptor on a free port with its data dictionary from
 * QuickFIX's own source (fetched by scripts/fetch-quickfix.sh), Nagle off.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const installHint = 'apt-get install -y libquickfix-dev g++';

/** The directory with package.json above this file (source or dist/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** QuickFIX's unpacked source (acceptance scripts, spec/FIX44.xml), fetching it on first use. */
export async function quickfixSourceDir(): Promise<string> {
  const root = repoRoot();
  const { stdout } = await run('bash', [join(root, 'scripts', 'fetch-quickfix.sh')], { cwd: root });
  return stdout.trim().split('\n').pop()!;
}

export async function buildQuickfixVenue(): Promise<string> {
  const root = repoRoot();
  const source = join(root, 'test', 'quickfix-venue.cpp');
  const hash = createHash('sha256').update(await readFile(source)).digest('hex').slice(0, 12);
  const dir = join(root, '.cache', 'quickfix');
  const binary = join(dir, `quickfix-venue-${hash}`);
  if (existsSync(binary)) return binary;
  if (!existsSync('/usr/include/quickfix/Session.h')) throw new Error(`the QuickFIX C++ venue needs QuickFIX's headers: run \`${installHint}\``);
  await mkdir(dir, { recursive: true });
  const temp = `${binary}.${process.pid}.tmp`;
  try {
    await run('g++', ['-O2', '-std=c++14', '-Wno-deprecated', '-o', temp, source, '-lquickfix', '-lpthread']);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`compiling the QuickFIX C++ venue failed: ${String((err as { stderr?: string }).stderr ?? err).trim()}`, { cause: err });
  }
  await rename(temp, binary);
  return binary;
}

export interface QuickfixVenue {
  port: number;
  /** What it printed (logon/logout lines). */
  output(): string;
  stop(): Promise<void>;
}

export interface QuickfixVenueOptions {
  senderCompId: string;
  counterparties: string[];
  /** QuickFIX's acceptance-test application instead of ack-and-fill. */
  echo?: boolean;
}

export async function startQuickfixVenue(options: QuickfixVenueOptions): Promise<QuickfixVenue> {
  const [binary, source] = await Promise.all([buildQuickfixVenue(), quickfixSourceDir()]);
  const dir = await mkdtemp(join(tmpdir(), 'quickfix-venue-'));
  // A free port can be taken between the probe and QuickFIX's bind: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const cfg = join(dir, 'venue.cfg');
    await writeFile(cfg, [
      '[DEFAULT]', 'ConnectionType=acceptor', `SocketAcceptPort=${port}`, 'SocketAcceptHost=127.0.0.1', 'SocketReuseAddress=Y',
      'SocketNodelay=Y', 'StartTime=00:00:00', 'EndTime=00:00:00', `SenderCompID=${options.senderCompId}`, 'ResetOnLogon=Y',
      'UseDataDictionary=Y', `DataDictionary=${join(source, 'spec', 'FIX44.xml')}`,
      ...options.counterparties.flatMap((cp) => ['[SESSION]', 'BeginString=FIX.4.4', `TargetCompID=${cp}`]),
      '',
    ].join('\n'));
    try {
      const child = spawn(binary, [cfg], {
        env: { ...process.env, QF_WATCH_STDIN: '1', ...(options.echo ? { QF_ECHO: '1' } : {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
      child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
      await new Promise<void>((resolve, reject) => {
        const onData = (): void => {
          if (output.includes('listening')) resolve();
        };
        child.stdout!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`the QuickFIX venue exited (${code}): ${output.trim()}`)));
        child.once('error', reject);
      });
      return {
        port,
        output: () => output,
        stop: async () => {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
