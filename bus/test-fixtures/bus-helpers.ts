/** Helpers for the event bus tests: collecting what a consumer delivers, waiting for a condition. */
import type { BusRecord, Consumer, HeaderValue, RecordBatch } from '../event-bus.js';

export interface Delivered extends BusRecord {
  topic: string;
  partition: number;
}

/** Runs the consumer until `until` holds for everything delivered so far, then stops it. */
export async function collect(
  consumer: Consumer, until: (got: Delivered[]) => boolean, timeoutMs = 30_000, onBatch?: (batch: RecordBatch) => void,
): Promise<Delivered[]> {
  const got: Delivered[] = [];
  let done!: () => void;
  const reached = new Promise<void>((resolve) => { done = resolve; });
  const run = consumer.run(async (batch) => {
    onBatch?.(batch);
    for (const r of batch.records) got.push({ ...r, topic: batch.topic, partition: batch.partition });
    if (until(got)) done();
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${got.length} records delivered`)), timeoutMs);
  });
  try {
    await Promise.race([reached, timeout, run.then(() => { throw new Error('run() ended before the records arrived'); })]);
  } finally {
    clearTimeout(timer);
    await consumer.stop();
    await run.catch(() => {});
  }
  return got;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function headerText(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map(String).join(',') : v.toString();
}

export function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}
