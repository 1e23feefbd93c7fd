/**
 * The vocabulary of the liquidity exposure record (LCR.md section D): columns, products and their direction,
 * counterparty types, collateral classes, and which product may carry which flag. Structural, so not part of a
 * regime: a regime only prices these.
 */
export const exposureColumns = [
  'as_of_date', 'legal_entity', 'reporting_currency', 'currency', 'exposure_id', 'product', 'direction', 'counterparty_type',
  'amount', 'maturity_date', 'collateral_class', 'collateral_value', 'is_operational', 'is_insured', 'is_stable', 'is_encumbered',
] as const;
export type ExposureColumn = (typeof exposureColumns)[number];

export const productDirections = {
  CASH: 'asset',
  CB_RESERVES: 'asset',
  SECURITY: 'asset',
  RETAIL_DEPOSIT: 'outflow',
  UNSECURED_WHOLESALE_FUNDING: 'outflow',
  SECURED_FUNDING: 'outflow',
  COMMITTED_CREDIT_FACILITY: 'outflow',
  COMMITTED_LIQUIDITY_FACILITY: 'outflow',
  SECURED_LENDING: 'inflow',
  UNSECURED_LENDING: 'inflow',
} as const;
export type Product = keyof typeof productDirections;
export type Direction = (typeof productDirections)[Product];
export const products = Object.keys(productDirections) as Product[];

export const counterpartyTypes = [
  'RETAIL', 'SMALL_BUSINESS', 'NON_FINANCIAL_CORPORATE', 'SOVEREIGN_DOMESTIC', 'SOVEREIGN_FOREIGN', 'CENTRAL_BANK', 'BANK',
  'OTHER_FINANCIAL', 'OTHER',
] as const;
export type CounterpartyType = (typeof counterpartyTypes)[number];

export const collateralClasses = ['L1', 'L2A', 'L2B_RMBS', 'L2B', 'NON_HQLA'] as const;
export type CollateralClass = (typeof collateralClasses)[number];
export type HqlaClass = Exclude<CollateralClass, 'NON_HQLA'>;

export const flagColumns = ['is_operational', 'is_insured', 'is_stable', 'is_encumbered'] as const;
export type FlagColumn = (typeof flagColumns)[number];

/** The products a flag may be true on; true anywhere else is a schema error (LCR.md section D, booleans). */
export const flagProducts: Record<FlagColumn, Product[]> = {
  is_operational: ['UNSECURED_WHOLESALE_FUNDING', 'UNSECURED_LENDING'],
  is_insured: ['RETAIL_DEPOSIT', 'UNSECURED_WHOLESALE_FUNDING'],
  is_stable: ['RETAIL_DEPOSIT'],
  is_encumbered: ['SECURITY', 'SECURED_LENDING'],
};

export const securedProducts: Product[] = ['SECURED_FUNDING', 'SECURED_LENDING'];
export const collateralRequiredProducts: Product[] = ['SECURITY', 'SECURED_FUNDING', 'SECURED_LENDING'];
/** Retail secured funding is out of scope, and wholesale funding from retail is a deposit (LCR.md section D). */
export const retailForbiddenProducts: Product[] = ['UNSECURED_WHOLESALE_FUNDING', 'SECURED_FUNDING', 'SECURED_LENDING'];
export const facilityProducts: Product[] = ['COMMITTED_CREDIT_FACILITY', 'COMMITTED_LIQUIDITY_FACILITY'];
