#!/usr/bin/env node
// The `lakehouse` command. The TypeScript is compiled by `npm ci` (the prepare script) into dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('lakehouse: not built yet: run `npm ci` (or `npm run build`) in the repository first\n');
  process.exit(2);
}
await import(main);
