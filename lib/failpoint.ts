/**
 * Crash failpoints for exactly-once tests: `LAKEHOUSE_FAILPOINTS=bronze.after-commit:0.2,bronze.after-upload:0.1`
 * makes the process SIGKILL itself at that instant with that probability. A random external kill almost never
 * lands in the few milliseconds between two steps (say, a bronze commit and the offset commit that follows), which
 * is where exactly-once is decided, so the tests aim there. Unset (always, outside tests), a failpoint is a no-op.
 */
const configured = parse(process.env.LAKEHOUSE_FAILPOINTS);

function parse(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (spec ?? '').split(',')) {
    const [name, p] = part.trim().split(':');
    if (name) out.set(name, p === undefined ? 1 : Number(p));
  }
  return out;
}

export function failpoint(name: string): void {
  const p = configured.get(name);
  if (p === undefined || Math.random() >= p) return;
  process.stderr.write(`failpoint ${name}: killing process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
