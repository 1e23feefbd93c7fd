// Child process for the crash test: produces to an embedded event log until SIGKILLed, printing on stdout one
// line per acknowledged send: the sequence numbers whose send() resolved. Imports the compiled adapter from dist/.
import { EventLog } from '../../dist/bus/event-log.js';

const dir = process.argv[2];
const log = new EventLog({ dir, defaultPartitions: 3 });
const producer = await log.producer();
process.stdout.write('ready\n');

let seq = 0;
const filler = 'x'.repeat(20_000);
async function sender() {
  for (;;) {
    const records = [];
    const count = 1 + (seq % 7);
    for (let i = 0; i < count; i++, seq++) {
      // Large values make it likely the kill lands in the middle of a write.
      records.push({ topic: 'crash', key: `k${seq % 11}`, value: { seq, pad: filler.slice(0, (seq * 7919) % filler.length) } });
    }
    await producer.send(records);
    process.stdout.write(`${JSON.stringify(records.map((r) => r.value.seq))}\n`);
  }
}
// Several sends in flight at once, so fsyncs are shared and appends interleave across partitions.
await Promise.all([sender(), sender(), sender()]);
