/**
 * `treasury.deals`: the funding and liquidity side of the balance sheet the LCR needs: deposits taken, secured funding
 * and lending (repos, reverse repos, with their collateral), unsecured loans and placements, committed facilities,
 * and cash and central-bank reserve balances. One event per version of a deal; `action` CANCEL is a tombstone.
 * The attributes are the facts that decide the LCR treatment (LCR.md sections C and D); gold derives the product.
 */
import { z } from 'zod';
import { counterpartyTypeSchema, currencySchema, envelopeShape, idSchema, isoDateSchema, legalEntitySchema } from './common.js';

export const dealTypeSchema = z.enum([
  'DEPOSIT', // money a customer placed with us: retail or wholesale, by counterparty type
  'REPO', // we sell securities and buy them back: secured funding
  'REVERSE_REPO', // we buy securities and sell them back: secured lending
  'LOAN', // money we lent
  'PLACEMENT', // money we placed with another bank
  'CREDIT_FACILITY', // committed credit line we granted, undrawn part
  'LIQUIDITY_FACILITY', // committed liquidity line we granted, undrawn part
  'CB_RESERVES', // our balance at a central bank
  'CASH', // coins and banknotes
]);
export type DealType = z.infer<typeof dealTypeSchema>;

export const treasuryDealEventSchema = z.object({
  ...envelopeShape,
  deal_id: idSchema,
  version: z.number().int().min(1),
  action: z.enum(['NEW', 'AMEND', 'CANCEL']),
  deal_type: dealTypeSchema,
  legal_entity: legalEntitySchema,
  book_id: idSchema,
  counterparty_id: idSchema.nullable().describe('null for CASH and for our own reserve balance'),
  counterparty_type: counterpartyTypeSchema.nullable().describe('as the directory had it when the deal was booked'),
  currency: currencySchema,
  principal: z.number().nonnegative().describe('balance, cash leg or amount due; for facilities the committed amount'),
  drawn_amount: z.number().nonnegative().nullable().describe('facilities only: the part already drawn'),
  interest_rate: z.number().nullable(),
  start_date: isoDateSchema,
  maturity_date: isoDateSchema.nullable().describe('null = open / callable'),
  notice_days: z.number().int().nonnegative().nullable().describe('deposits: notice the customer must give'),
  is_operational: z.boolean().describe('clearing, custody or cash-management relationship'),
  is_insured: z.boolean().describe('whole balance covered by an effective deposit-insurance scheme'),
  has_relationship: z.boolean().describe('retail: an established relationship or transactional account'),
  collateral_instrument_id: idSchema.nullable().describe('repos and reverse repos'),
  collateral_nominal: z.number().nonnegative().nullable(),
  collateral_market_value: z.number().nonnegative().nullable(),
  collateral_rehypothecated: z.boolean().nullable().describe('reverse repos: collateral received was re-used'),
  trade_date: isoDateSchema,
});
export type TreasuryDealEvent = z.infer<typeof treasuryDealEventSchema>;
