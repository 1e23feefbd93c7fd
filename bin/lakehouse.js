#!/usr/bin/env -S node --max-semi-space-size=64
// The `lakehouse` command. The TypeScript is compiled by `npm ci` (the prepare script) into dist/.
// Node flags (first line, read by lib/node-flags.ts for the tests and benchmarks that start node themselves): a 64 MiB
// young generation. kafkajs allocates a few objects per record that die young; with V8's default 16 MiB semi-spaces
// they are scavenged so often that GC took a quarter of the ingest's main thread. The ingest bench: ~10% more records
// a second for ~14% less CPU (and raw kafkajs ~30% faster). It cannot be set from inside (v8.setFlagsFromString comes
// after the heap is set up).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('lakehouse: not built yet: run `npm ci` (or `npm run build`) in the repository first\n');
  process.exit(2);
}
await import(main);
