import { describe, expect, it } from 'vitest';
import { frame, parseMessage } from './codec.js';
import { validateMessage } from './validate.js';

const HEADER = '34=2|49=TW|52=20260302-14:30:00|56=ISLD|';
const msg = (msgType: string, body: string, header = HEADER) => parseMessage(frame('FIX.4.4', `35=${msgType}|${header}${body}`.replaceAll('|', '\x01')));
const ORDER = '11=ID|21=1|38=200|40=1|54=1|55=INTC|60=20260302-14:30:00|';

describe('FIX 4.4 validation', () => {
  it('accepts a well-formed NewOrderSingle, header and body fields in any order within their parts', () => {
    expect(validateMessage(msg('D', ORDER))).toBeNull();
    expect(validateMessage(msg('D', '60=20260302-14:30:00|55=INTC|54=1|40=1|38=200|21=1|11=ID|', '56=ISLD|52=20260302-14:30:00|49=TW|34=2|'))).toBeNull();
  });

  it.each([
    ['an undefined tag', msg('0', '999=HI|'), { reason: 0, tag: 999 }],
    ['a tag below the valid range', msg('0', '0=HI|'), { reason: 0, tag: 0 }],
    ['a negative tag', msg('0', '-1=HI|'), { reason: 0, tag: -1 }],
    ['a missing header field', msg('0', '', '34=2|49=TW|52=20260302-14:30:00|'), { reason: 1, tag: 56 }],
    ['a missing body field, the lowest tag first', msg('D', '21=1|40=1|54=1|'), { reason: 1, tag: 11 }],
    ['a tag of another message type', msg('0', '55=MSFT|'), { reason: 2, tag: 55 }],
    ['a tag without a value', msg('0', '', '34=2|49=TW|52=20260302-14:30:00|56=|'), { reason: 4, tag: 56 }],
    ['a value outside the enumeration', msg('D', ORDER.replace('21=1', '21=4')), { reason: 5, tag: 21 }],
    ['an unknown SecurityType', msg('D', `${ORDER}167=BOO|`), { reason: 5, tag: 167 }],
    ['a quantity with a plus sign', msg('D', ORDER.replace('38=200', '38=+200.00')), { reason: 6, tag: 38 }],
    ['a date where a timestamp belongs', msg('D', `${ORDER}126=20040415|`), { reason: 6, tag: 126 }],
    ['a repeated tag outside a group', msg('D', ORDER.replace('40=1', '40=1|40=2')), { reason: 13, tag: 40 }],
    ['a header field after the body', msg('D', `${ORDER}34=2|`, '49=TW|52=20260302-14:30:00|56=ISLD|'), { reason: 14, tag: 34 }],
    ['a NumInGroup count that does not match', msg('D', ORDER.replace('55=INTC|', '55=INTC|386=3|336=PRE-OPEN|336=AFTER-HOURS|')), { reason: 16, tag: 386 }],
    ['an unknown MsgType', msg('*', ''), { reason: 11 }],
  ])('reports %s', (_, message, violation) => {
    expect(validateMessage(message)).toEqual(violation);
  });

  it('accepts repeating groups whose count matches, including zero', () => {
    expect(validateMessage(msg('D', ORDER.replace('55=INTC|', '55=INTC|386=2|336=PRE-OPEN|336=AFTER-HOURS|')))).toBeNull();
    expect(validateMessage(msg('d', '320=REQ|322=RESP|323=6|55=TBS|454=0|'))).toBeNull();
  });

  it('checks the required fields of each group instance', () => {
    expect(validateMessage(msg('V', '262=MD1|263=0|264=1|267=2|269=0|269=1|146=1|55=AAPL|'))).toBeNull();
    expect(validateMessage(msg('W', '262=MD1|55=AAPL|268=1|270=10|271=5|'))).toEqual({ reason: 1, tag: 269 });
    expect(validateMessage(msg('V', '262=MD1|263=0|264=1|267=1|146=1|55=AAPL|'))).toEqual({ reason: 16, tag: 267 });
  });
});
