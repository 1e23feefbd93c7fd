/** Progress of long ingest runs on stderr (as log lines), at most every `everyMs`. */
import type { Logger } from '../lib/log.js';

export class Progress {
  private readonly started = Date.now();
  private last = Date.now();

  constructor(private readonly log: Logger, private readonly totalBytes?: number, private readonly everyMs = 2_000) {}

  update(doneBytes: number | undefined, counts: object): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const percent = this.totalBytes && doneBytes !== undefined ? Math.round((100 * doneBytes) / this.totalBytes) : undefined;
    this.log.info({ ...counts, percent, seconds: Math.round((now - this.started) / 1000) }, 'ingest progress');
  }

  done(counts: object): void {
    const seconds = (Date.now() - this.started) / 1000;
    this.log.info({ ...counts, seconds: Number(seconds.toFixed(2)) }, 'ingest finished');
  }
}
