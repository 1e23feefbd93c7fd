/** Picks the event bus adapter from the configuration: Kafka when brokers are given, else the embedded log. */
import type { Logger } from '../lib/log.js';
import type { EventBus } from './event-bus.js';
import { KafkaBus } from './kafka-bus.js';
import { EventLog } from './event-log.js';

export function openBus(options: { kafkaBrokers?: string[]; eventLogDir: string; clientId?: string; logger?: Logger }): EventBus {
  if (options.kafkaBrokers && options.kafkaBrokers.length > 0) {
    return new KafkaBus({ brokers: options.kafkaBrokers, clientId: options.clientId, logger: options.logger });
  }
  return new EventLog({ dir: options.eventLogDir, logger: options.logger });
}
