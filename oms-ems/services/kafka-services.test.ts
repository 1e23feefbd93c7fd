/**
 * The two services on Kafka (librdkafka's mock cluster) rather than the embedded log: the same code through the
 * other adapter of the bus port, including the run-private consumer groups and the end-offset waits.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaBus } from '../../bus/kafka-bus.js';
import { startKafkaMock, type KafkaMock } from '../../test/kafka-mock.js';
import { TradeCapture } from '../capture/trade-capture.js';
import { PositionKeeper } from '../positions/position-keeper.js';
import type { TradeEvent } from '../schemas/trade-event.js';
import { runPositionService } from './position-service.js';
import { readTopic } from './test-fixtures/read-topic.js';
import { referenceRecords, simulatedDay } from './test-fixtures/simulated-day.js';
import { runTradeCaptureService } from './trade-capture-service.js';

describe('trade capture and position keeping on Kafka', () => {
  let mock: KafkaMock;
  beforeAll(async () => {
    mock = await startKafkaMock({
      binary: inject('kafkaMockBinary'),
      topics: { 'ref.instruments': 1, 'ref.counterparties': 1, executions: 4, trades: 4, 'trades.dead_letter': 1, positions: 4 },
    });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('captures a day of executions and keeps positions that reconcile, and a second run adds nothing', async () => {
    const bus = new KafkaBus({ brokers: mock.brokers, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 100 });
    try {
      const producer = await bus.producer();
      const day = simulatedDay(80, 31);
      await producer.send([...referenceRecords(), ...day.records]);
      await producer.close();

      const capture = await runTradeCaptureService({ bus, capture: new TradeCapture(), stopWhenCaughtUp: true });
      expect(capture).toMatchObject({ trades: day.fills, dead_lettered: day.unenrichable });
      const trades = await readTopic<TradeEvent>(bus, 'trades');
      expect(trades).toHaveLength(day.fills);

      const keeper = new PositionKeeper();
      const positions = await runPositionService({ bus, keeper, stopWhenCaughtUp: true });
      expect(positions).toMatchObject({ trades: day.fills, events_produced: day.fills, reconcile: { ok: true } });

      expect(await runTradeCaptureService({ bus, stopWhenCaughtUp: true })).toMatchObject({ executions: 0, trades: 0 });
      const keeper2 = new PositionKeeper();
      expect(await runPositionService({ bus, keeper: keeper2, stopWhenCaughtUp: true })).toMatchObject({ events_produced: 0, events_already_emitted: day.fills });
      expect(keeper2.snapshot()).toEqual(keeper.snapshot());
    } finally {
      await bus.close();
    }
  }, 120_000);
});
