import { describe, expect, it } from 'vitest';
import { FixEncoder, FixFramer, frame, GarbledMessageError, parseMessage, peekMsgType } from './codec.js';
import { formatUtcTimestamp, parseUtcTimestamp } from './utc-timestamp.js';

const wire = (s: string): string => s.replaceAll('|', '\x01');
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** CheckSum and BodyLength computed the way the FIX specification words them, on bytes. */
function independent(raw: string): { bodyLength: number; checksum: number } {
  const buf = bytes(raw);
  const afterLength = buf.indexOf('\x01', buf.indexOf('\x019=') + 1) + 1;
  const checksumAt = buf.lastIndexOf('\x0110=') + 1;
  let sum = 0;
  for (let i = 0; i < checksumAt; i++) sum += buf[i];
  return { bodyLength: checksumAt - afterLength, checksum: sum % 256 };
}

describe('FIX codec', () => {
  it('encodes a message whose BodyLength and CheckSum match the bytes, and parses it back field for field', () => {
    const encoder = new FixEncoder('FIX.4.4', 'EMS', 'VENUE');
    const raw = encoder.encode('D', 7, '20260302-14:30:00.123', wire('11=ord-1|21=1|38=100|40=2|44=101.25|54=1|55=AAPL|60=20260302-14:30:00|'));
    expect(raw.replaceAll('\x01', '|')).toMatch(/^8=FIX\.4\.4\|9=\d+\|35=D\|34=7\|49=EMS\|52=20260302-14:30:00\.123\|56=VENUE\|11=ord-1\|.*\|10=\d{3}\|$/);
    const { bodyLength, checksum } = independent(raw);
    const message = parseMessage(raw);
    expect(Number(message.get(9))).toBe(bodyLength);
    expect(Number(message.get(10))).toBe(checksum);
    expect(message.msgType).toBe('D');
    expect(message.seqNum).toBe(7);
    expect(message.tags).toEqual([8, 9, 35, 34, 49, 52, 56, 11, 21, 38, 40, 44, 54, 55, 60, 10]);
    expect(message.get(44)).toBe('101.25');
  });

  it('writes header fields beyond the standard ones in tag order after MsgType, as QuickFIX does', () => {
    const encoder = new FixEncoder('FIX.4.4', 'ISLD', 'TW');
    const raw = encoder.encode('4', 2, '20260302-14:30:00.000', wire('36=5|123=Y|'), [[122, '20260302-14:29:59.000'], [43, 'Y']]);
    expect(raw.replaceAll('\x01', '|')).toMatch(/^8=FIX\.4\.4\|9=\d+\|35=4\|34=2\|43=Y\|49=ISLD\|52=\S+\|56=TW\|122=\S+\|36=5\|123=Y\|10=\d{3}\|$/);
  });

  it('matches BodyLength and CheckSum worked out by hand on a short message', () => {
    const raw = frame('FIX.4.4', wire('35=0|34=2|49=A|52=20260302-00:00:00|56=B|'));
    expect(raw).toBe(wire('8=FIX.4.4|9=41|35=0|34=2|49=A|52=20260302-00:00:00|56=B|10=118|'));
    expect(independent(raw)).toEqual({ bodyLength: 41, checksum: 118 });
  });

  it('rejects a wrong CheckSum, a wrong BodyLength, a garbled tag and misplaced first fields as garbled', () => {
    const good = frame('FIX.4.4', wire('35=0|34=2|49=TW|52=20260302-00:00:00|56=ISLD|'));
    const badChecksum = good.replace(/10=\d{3}\x01$/, '10=256\x01');
    const badLength = good.replace('9=45', '9=44');
    const garbled = frame('FIX.4.4', wire('35=0|34=2|4garbled9=TW|52=20260302-00:00:00|56=ISLD|'));
    const misplaced = wire('8=FIX.4.4|34=2|35=0|10=000|');
    expect(badLength).not.toBe(good);
    expect(() => parseMessage(good)).not.toThrow();
    for (const raw of [badChecksum, badLength, garbled, misplaced]) expect(() => parseMessage(raw)).toThrow(GarbledMessageError);
    expect(peekMsgType(garbled)).toBe('0');
  });

  it('reads a data field by its length field, SOH and all', () => {
    const raw = frame('FIX.4.4', `35=A\x0134=1\x0149=TW\x0152=20260302-00:00:00\x0156=ISLD\x0195=5\x0196=a\x01b=c\x0198=0\x01108=30\x01`);
    const message = parseMessage(raw);
    expect(message.get(96)).toBe('a\x01b=c');
    expect(message.get(98)).toBe('0');
  });

  it('frames messages split across chunks at every byte and several in one chunk', () => {
    const encoder = new FixEncoder('FIX.4.4', 'A', 'B');
    const messages = [1, 2, 3].map((n) => encoder.encode('0', n, '20260302-00:00:00.000', ''));
    const stream = messages.join('');
    const framer = new FixFramer();
    const out: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      framer.push(bytes(stream[i]));
      for (let m = framer.next(); m !== undefined; m = framer.next()) out.push(m);
    }
    expect(out).toEqual(messages);
    framer.push(bytes(stream));
    const batch: string[] = [];
    for (let m = framer.next(); m !== undefined; m = framer.next()) batch.push(m);
    expect(batch).toEqual(messages);
  });

  it('skips bytes before a message start, and cuts a too-short BodyLength at the next CheckSum as QuickFIX does', () => {
    const encoder = new FixEncoder('FIX.4.4', 'A', 'B');
    const ok = encoder.encode('0', 2, '20260302-00:00:00.000', '');
    const short = ok.replace(/9=\d+/, '9=10');
    const framer = new FixFramer();
    framer.push(bytes(`junk${short}${ok}`));
    const first = framer.next()!;
    expect(first).toBe(short);
    expect(() => parseMessage(first)).toThrow(/BodyLength/);
    expect(framer.next()).toBe(ok);
    expect(framer.next()).toBeUndefined();
  });

  it('drops what it holds when BodyLength is not a number, and resynchronises on the next message', () => {
    const encoder = new FixEncoder('FIX.4.4', 'A', 'B');
    const framer = new FixFramer();
    framer.push(bytes(wire('8=FIX.4.4|9=x1|35=0|10=000|')));
    expect(framer.next()).toBeUndefined();
    expect(framer.dropped).toBe(true);
    const ok = encoder.encode('0', 3, '20260302-00:00:00.000', '');
    framer.push(bytes(ok));
    expect(framer.next()).toBe(ok);
  });
});

describe('UTC timestamps', () => {
  it('formats with and without milliseconds and parses back', () => {
    const t = Date.UTC(2026, 2, 2, 14, 30, 5, 7);
    expect(formatUtcTimestamp(t)).toBe('20260302-14:30:05.007');
    expect(formatUtcTimestamp(t, false)).toBe('20260302-14:30:05');
    expect(parseUtcTimestamp('20260302-14:30:05.007')).toBe(t);
    expect(parseUtcTimestamp('20260302-14:30:05')).toBe(t - 7);
    expect(parseUtcTimestamp('20260302-14:30:05.007123')).toBe(t);
  });

  it.each(['2026030-14:30:05', '20261302-14:30:05', '20260302-24:00:00', '20260302 14:30:05', '20260302-14:30:05.', '20260302-14:30:05.x'])(
    'refuses %s', (text) => {
      expect(parseUtcTimestamp(text)).toBeNaN();
    },
  );
});
