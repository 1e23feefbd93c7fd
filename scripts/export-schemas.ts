/** Writes oms-ems/schemas/json/<topic>.schema.json from the zod schemas: `npm run schemas`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonSchemaFiles } from '../oms-ems/schemas/json-schema.js';

const dir = join(import.meta.dirname, '..', 'oms-ems', 'schemas', 'json');
await mkdir(dir, { recursive: true });
for (const [name, text] of jsonSchemaFiles()) {
  await writeFile(join(dir, name), text);
  process.stdout.write(`wrote ${join('oms-ems/schemas/json', name)}\n`);
}
