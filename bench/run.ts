/**
 * `npm run bench [-- name...]`: runs the benchmarks one after another, each in a process of its own so that one's
 * heap and sockets do not weigh on the next. Names: ingest, fix, simulate, silver-rules, lcr, silver-scd2, gold, stream-freshness (default: all).
 * Options (`--name value` or `--name=value`, e.g. silver-scd2's `--scale 0.1`) are passed on to every bench run.
 * They run compiled (`npm run bench` builds first), as the CLI does: under vite-node every imported name goes
 * through a module proxy, which cost the ingest bench a quarter of its rate. And with the command's Node flags
 * (bin/lakehouse.js's first line: a larger young generation), so that a bench measures what the command runs; the
 * ingest bench's raw kafkajs consume runs with them too.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { shippedNodeFlags } from '../lib/node-flags.js';

const benches: Record<string, string> = {
  ingest: 'ingest.js', fix: 'fix-orders.js', simulate: 'simulate.js', 'silver-rules': 'silver-rules.js', lcr: 'gold-lcr.js', 'silver-scd2': 'silver-scd2.js', gold: 'gold-build.js', 'stream-freshness': 'stream-freshness.js',
};
const args = process.argv.slice(2).filter((a) => a !== '--');
const wanted: string[] = [];
const options: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) {
    options.push(args[i]);
    if (!args[i].includes('=') && i + 1 < args.length && !args[i + 1].startsWith('--') && !(args[i + 1] in benches)) options.push(args[++i]);
  } else {
    wanted.push(args[i]);
  }
}
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (benches: ${Object.keys(benches).join(', ')})`);
  process.exit(2);
}
let failed = 0;
const nodeFlags = shippedNodeFlags();
console.log(`node ${process.version} ${nodeFlags.join(' ')} (the lakehouse command's flags)`);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [...nodeFlags, join(import.meta.dirname, benches[name]), ...options], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
