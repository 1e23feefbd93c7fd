/** Reads every record of a topic as it is now, with a throwaway group, parsed as JSON. */
import { randomBytes } from 'node:crypto';
import type { EventBus } from '../../../bus/event-bus.js';
import { collect, type Delivered } from '../../../bus/test-fixtures/bus-helpers.js';

export interface ReadRecord<T> extends Delivered {
  json: T;
}

export async function readTopic<T = Record<string, unknown>>(bus: EventBus, topic: string): Promise<ReadRecord<T>[]> {
  if (!(await bus.listTopics()).includes(topic)) return [];
  const total = (await bus.endOffsets([topic])).reduce((sum, e) => sum + Number(e.offset), 0);
  if (total === 0) return [];
  const got = await collect(bus.consumer({ groupId: `read-${randomBytes(4).toString('hex')}`, topics: [topic] }), (g) => g.length >= total);
  return got.map((r) => ({ ...r, json: JSON.parse(r.value!.toString('utf8')) as T }));
}
