/** Small things every service runner does with the bus: make sure its topics exist, name a run's private groups. */
import { randomBytes } from 'node:crypto';
import type { EventBus, TopicPartitionOffset } from '../../bus/event-bus.js';

/** Creates the topics that do not exist yet, so a service can start before its upstream has written anything. */
export async function ensureTopics(bus: EventBus, topics: string[], partitions = 3): Promise<void> {
  const existing = new Set(await bus.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) await bus.createTopics(missing.map((topic) => ({ topic, partitions })));
}

/**
 * A consumer group id of its own for one run: it has no committed offsets, so it reads from the beginning, and it
 * never commits, so it leaves nothing behind (an empty Kafka group with no offsets is removed by the broker).
 */
export function runGroupId(groupId: string, purpose: string): string {
  return `${groupId}.${purpose}.${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function partitionKey(p: { topic: string; partition: number }): string {
  return `${p.topic}/${p.partition}`;
}

/** Whether positions (next offsets, by partitionKey) have reached every offset of `target`. */
export function reached(positions: ReadonlyMap<string, bigint>, target: TopicPartitionOffset[]): boolean {
  return target.every((t) => BigInt(t.offset) === 0n || (positions.get(partitionKey(t)) ?? 0n) >= BigInt(t.offset));
}
