/**
 * An independent check of emitted events: ajv, a JSON Schema validator that knows nothing of zod, against the
 * committed oms-ems/schemas/json files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const dir = join(import.meta.dirname, '..', 'oms-ems', 'schemas', 'json');

export function topicValidator(topic: string): ValidateFunction {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(dir, `${topic}.schema.json`), 'utf8')));
}
