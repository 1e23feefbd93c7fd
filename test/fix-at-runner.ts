/**
 * Plays one of QuickFIX's acceptance-test scripts (test/definitions/server/fix44/*.def) against a FIX acceptor over
 * TCP, with the semantics of QuickFIX's own Ruby runner and strict comparison:
 * - `iCONNECT` / `iDISCONNECT` open / close the tester's connection (`i2,CONNECT` names connection 2);
 *   `eDISCONNECT` expects the acceptor to close it within 10 s, with nothing sent before;
 * - `I<msg>` sends, `E<msg>` expects the next message; `<TIME>`/`<TIME±n>` is UTC now (+n s); BodyLength and CheckSum
 *   are filled in when a line lacks them;
 * - a received message must have the same fields in the same order with the same values, except CheckSum (10) and
 *   the time fields 42, 52, 60 and 122, which only have to match a pattern.
 * Returns null when the script passes, otherwise what went wrong (line number, expected and received message).
 */
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';

const SOH = '\x01';
const PATTERNS: Record<number, RegExp> = {
  10: /\d{3}/,
  42: /\d{8}-\d{2}:\d{2}:\d{2}/,
  52: /\d{8}-\d{2}:\d{2}:\d{2}|\d{8}-\d{2}:\d{2}:\d{2}[.]\d{3}/,
  60: /\d{8}-\d{2}:\d{2}:\d{2}/,
  122: /\d{8}-\d{2}:\d{2}:\d{2}/,
};

export interface RunOptions {
  host: string;
  port: number;
  /** How long an `E` line waits for its message (default 15 s). */
  expectTimeoutMs?: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function utc(d: Date): string {
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function timeify(line: string): string {
  return line.replace(/<TIME([+-]\d+)?>/g, (_, offset: string | undefined) => utc(new Date(Date.now() + (offset ? Number(offset) * 1000 : 0))));
}

/** Adds 9= and 10= when absent, as QuickFIX's Reflector does. */
function fixify(message: string): string {
  const head = /^8=[^\x01]*\x01/.exec(message)?.[0];
  if (head === undefined) return message;
  let rest = message.slice(head.length);
  const trailer = /\x0110=[^\x01]*\x01$/.exec(rest);
  let checksum: string | undefined;
  if (trailer) {
    checksum = trailer[0].slice(1);
    rest = rest.slice(0, trailer.index + 1);
  }
  const length = /(^|\x01)9=[^\x01]*\x01/.test(message) ? '' : `9=${Buffer.byteLength(rest, 'latin1')}${SOH}`;
  if (checksum === undefined) {
    let sum = 0;
    for (const b of Buffer.from(head + length + rest, 'latin1')) sum += b;
    checksum = `10=${String(sum % 256).padStart(3, '0')}${SOH}`;
  }
  return head + length + rest + checksum;
}

function fields(message: string): Array<[string, string]> {
  return message.split(SOH).filter(Boolean).map((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? [f, ''] : [f.slice(0, eq), f.slice(eq + 1)];
  });
}

function compare(expected: string, actual: string): string | null {
  const e = fields(expected);
  const a = fields(actual);
  if (e.length !== a.length) return `Number of fields do not match (${e.length} vs ${a.length})`;
  for (let i = 0; i < e.length; i++) {
    if (e[i][0] !== a[i][0]) return `Expected field (${e[i][0]}) but found field (${a[i][0]})`;
    const pattern = PATTERNS[Number(e[i][0])];
    if (pattern ? !pattern.test(a[i][1]) : e[i][1] !== a[i][1]) return `Value in field (${e[i][0]}) should be (${e[i][1]}) but was (${a[i][1]})`;
  }
  return null;
}

const show = (m: string): string => m.replaceAll(SOH, '|');

class TesterConnection {
  private buffer = Buffer.alloc(0);
  private readonly messages: string[] = [];
  closed = false;
  private waiter: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.split();
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static open(host: string, port: number): Promise<TesterConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new TesterConnection(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private split(): void {
    for (;;) {
      const s = this.buffer.toString('latin1');
      const m = /^8=[^\x01]*\x019=(\d+)\x01/.exec(s);
      if (!m) return;
      const end = m[0].length + Number(m[1]) + 7;
      if (s.length < end) return;
      this.messages.push(s.slice(0, end));
      this.buffer = this.buffer.subarray(end);
    }
  }

  private wait(untilMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, untilMs - Date.now()));
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async next(timeoutMs: number): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      if (this.closed) throw new Error('Was disconnected, expected data');
      if (Date.now() >= until) throw new Error(`no message within ${timeoutMs} ms`);
      await this.wait(until);
    }
    return this.messages.shift()!;
  }

  async waitClose(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.closed) {
      if (this.messages.length > 0) throw new Error(`Expected disconnection, got data: ${show(this.messages[0])}`);
      if (Date.now() >= until) throw new Error('Connection hangs after ten seconds.');
      await this.wait(until);
    }
  }
}

/** Plays `file`; null when every line holds, otherwise the failure. */
export async function runDefinition(file: string, options: RunOptions): Promise<string | null> {
  const expectTimeoutMs = options.expectTimeoutMs ?? 15_000;
  const connections = new Map<number, TesterConnection>();
  const lines = (await readFile(file, 'latin1')).split(/\r?\n/);
  try {
    for (let n = 0; n < lines.length; n++) {
      let line = lines[n];
      if (!line || line.startsWith('#')) continue;
      let id = 1;
      const numbered = /^([IEie])(\d),(.*)$/.exec(line);
      if (numbered) {
        id = Number(numbered[2]);
        line = numbered[1] + numbered[3];
      }
      const kind = line[0];
      const body = line.slice(1);
      const fail = (why: string): never => {
        throw new Error(`line ${n + 1}: ${why}`);
      };
      const conn = connections.get(id);
      if (kind === 'i' && body === 'CONNECT') {
        connections.set(id, await TesterConnection.open(options.host, options.port));
      } else if (kind === 'i' && body === 'DISCONNECT') {
        conn?.socket.destroy();
        connections.delete(id);
      } else if (kind === 'e' && body === 'DISCONNECT') {
        if (!conn) fail('no connection to wait on');
        await conn!.waitClose(10_000).catch((err: Error) => fail(err.message));
      } else if (kind === 'e' && body === 'CONNECT') {
        // Nothing to check, as in QuickFIX's runner.
      } else if (kind === 'I') {
        if (!conn || conn.closed) fail('Unable to send message because connection was dropped');
        conn!.socket.write(Buffer.from(fixify(timeify(body)), 'latin1'));
      } else if (kind === 'E') {
        const expected = fixify(timeify(body));
        if (!conn) fail('no connection to read from');
        const actual = await conn!.next(expectTimeoutMs).catch((err: Error) => fail(`${err.message}\n    expected: ${show(expected)}`));
        const why = compare(expected, actual);
        if (why) fail(`${why}\n    expected: ${show(expected)}\n    received: ${show(actual)}`);
      } else {
        fail(`Syntax error: ${line}`);
      }
    }
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    for (const c of connections.values()) c.socket.destroy();
  }
}
