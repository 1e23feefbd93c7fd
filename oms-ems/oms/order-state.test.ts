import { describe, expect, it } from 'vitest';
import { orderStatusSchema } from '../schemas/order-event.js';
import { decimal, toNumber } from './decimal.js';
import { ExecutionMismatchError, IllegalTransitionError } from './oms-errors.js';
import { applyFillQuantity, isTerminal, lifecycleStates, orderActions, transition, transitionTable } from './order-state.js';

/** The life cycle written out again, independently of the table under test: every allowed pair and where it leads. */
const allowed: Record<string, string> = {
  'PENDING_NEW ACCEPT': 'NEW',
  'PENDING_NEW REJECT': 'REJECTED',
  'NEW ACK': 'NEW',
  'NEW REJECT': 'REJECTED',
  'NEW PARTIAL_FILL': 'PARTIALLY_FILLED',
  'NEW FILL': 'FILLED',
  'NEW CANCEL': 'CANCELLED',
  'NEW REPLACE': 'REPLACED',
  'PARTIALLY_FILLED PARTIAL_FILL': 'PARTIALLY_FILLED',
  'PARTIALLY_FILLED FILL': 'FILLED',
  'PARTIALLY_FILLED CANCEL': 'CANCELLED',
};

describe('order life cycle', () => {
  it('covers every order status of the orders topic, plus the transient PENDING_NEW', () => {
    expect([...lifecycleStates].sort()).toEqual(['PENDING_NEW', ...orderStatusSchema.options].sort());
  });

  it('allows exactly the listed transitions and refuses every other (status, event) pair, naming both', () => {
    let refused = 0;
    for (const from of lifecycleStates) {
      for (const event of orderActions) {
        const expected = allowed[`${from} ${event}`];
        if (expected !== undefined) {
          expect(transition(from, event), `${from} × ${event}`).toBe(expected);
          expect(transitionTable[from][event]).toBe(expected);
          continue;
        }
        refused++;
        let error: unknown;
        try {
          transition(from, event, 'O-9');
        } catch (err) {
          error = err;
        }
        expect(error, `${from} × ${event} must be refused`).toBeInstanceOf(IllegalTransitionError);
        const e = error as IllegalTransitionError;
        expect([e.from, e.event]).toEqual([from, event]);
        expect(e.message).toContain(from);
        expect(e.message).toContain(event);
        expect(e.message).toContain('O-9');
        expect(e.retriable).toBe(false);
      }
    }
    expect(refused).toBe(lifecycleStates.length * orderActions.length - Object.keys(allowed).length);
  });

  it('makes FILLED, CANCELLED, REPLACED and REJECTED final and nothing else', () => {
    expect(lifecycleStates.filter(isTerminal)).toEqual(['FILLED', 'CANCELLED', 'REPLACED', 'REJECTED']);
  });

  it('never leads back to PENDING_NEW', () => {
    for (const row of Object.values(transitionTable)) expect(Object.values(row)).not.toContain('PENDING_NEW');
  });
});

describe('fill quantities', () => {
  const q = decimal;
  it('adds a partial fill that leaves some open', () => {
    expect(toNumber(applyFillQuantity('PARTIAL_FILL', q(1000), q(0), q(400)))).toBe(400);
  });

  it('adds a fill that completes the order exactly, even with decimal fractions', () => {
    expect(toNumber(applyFillQuantity('FILL', q(0.3), q(0.1), q(0.2)))).toBe(0.3);
  });

  it('refuses a fill beyond the remaining quantity, naming what remained', () => {
    expect(() => applyFillQuantity('FILL', q(1000), q(400), q(601), 'O-1')).toThrow(/601 on order O-1 is beyond its remaining quantity 600/);
    expect(() => applyFillQuantity('PARTIAL_FILL', q(1000), q(1000), q(1))).toThrow(ExecutionMismatchError);
  });

  it('refuses a FILL that leaves quantity open and a PARTIAL_FILL that completes the order', () => {
    expect(() => applyFillQuantity('FILL', q(1000), q(0), q(999))).toThrow(/leaves quantity open/);
    expect(() => applyFillQuantity('PARTIAL_FILL', q(1000), q(400), q(600))).toThrow(/completes it/);
  });
});
