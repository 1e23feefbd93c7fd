/** Opens the simulator's sink from its command-line spec: `eventlog`, `kafka` or `file:<path>`. */
import type { Logger } from '../../lib/log.js';
import { openBus } from '../../bus/open-bus.js';
import { topicSpecs } from '../schemas/topics.js';
import { BusSink, RecordFileSink, type EventSink } from './event-sink.js';

export async function openSimSink(options: { spec: string; kafkaBrokers?: string[]; eventLogDir: string; partitions: number; logger: Logger }): Promise<EventSink> {
  if (options.spec.startsWith('file:')) return new RecordFileSink(options.spec.slice(5));
  const bus = openBus({ kafkaBrokers: options.spec === 'kafka' ? options.kafkaBrokers : undefined, eventLogDir: options.eventLogDir, clientId: 'lakehouse-simulate', logger: options.logger });
  try {
    const existing = new Set(await bus.listTopics());
    const missing = topicSpecs.filter((s) => !existing.has(s.topic)).map((s) => ({ topic: s.topic, partitions: options.partitions }));
    if (missing.length > 0) await bus.createTopics(missing);
  } catch (err) {
    await bus.close();
    throw err;
  }
  const sink = await BusSink.open(bus);
  const close = sink.close.bind(sink);
  sink.close = async () => {
    await close();
    await bus.close();
  };
  return sink;
}
