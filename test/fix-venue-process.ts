/**
 * `lakehouse fix-venue` in a process of its own, on a free port, for tests that trade with it over TCP
 * (dist/ must be built: `npm test`'s pretest does it).
 */
import type { ChildProcess } from 'node:child_process';
import { collect, spawnCli, type CliResult } from './cli.js';

export interface FixVenueProcess {
  port: number;
  /** SIGTERM, then the exit (SIGKILL after 5 s). */
  stop(): Promise<CliResult>;
}

/** The port a `lakehouse fix-venue` child prints in its "listening host:port" line. */
export function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening [^:\s]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fix-venue exited (${code}) before listening`)));
  });
}

export async function startFixVenue(args: string[]): Promise<FixVenueProcess> {
  const child = spawnCli(['fix-venue', '--port', '0', ...args]);
  const result = collect(child);
  const port = await listeningPort(child);
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.kill('SIGTERM');
        const r = await result;
        clearTimeout(kill);
        return r;
      }
      return result;
    },
  };
}
