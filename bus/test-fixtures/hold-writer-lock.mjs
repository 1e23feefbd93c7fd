// Child process that opens an embedded event log for writing, prints its outcome, then waits to be killed.
import { EventLog } from '../../dist/bus/event-log.js';

const log = new EventLog({ dir: process.argv[2] });
try {
  await log.producer();
  process.stdout.write('locked\n');
  setInterval(() => {}, 1_000);
} catch (err) {
  process.stdout.write(`refused: ${err.message}\n`);
  process.exit(0);
}
