/**
 * Runs the built `lakehouse` command (dist/, built by `npm test`'s pretest) as a child process,
 * the way users and the outside acceptance tests do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { binPath, shippedNodeFlags } from '../lib/node-flags.js';

export { binPath };
/** The flags of the command's shebang: node is started directly here, so they are passed by hand. */
const nodeFlags = shippedNodeFlags();

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, binPath, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', ...options.env },
    // stdin: /dev/null, or a pipe carrying `input` (then closed).
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  return child;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return collect(spawnCli(args, options));
}
