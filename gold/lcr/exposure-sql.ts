/** Section D's vocabulary (exposure-schema.ts) as SQL fragments, for the validation and classification SQL files. */
import { quotedString } from '../../lib/duckdb.js';
import {
  collateralClasses, collateralRequiredProducts, counterpartyTypes, flagProducts, productDirections, products,
  retailForbiddenProducts, securedProducts,
} from './exposure-schema.js';

const inList = (values: readonly string[]) => `(${values.map(quotedString).join(', ')})`;

/** CASE product WHEN 'CASH' THEN 'asset' ... END: NULL for an unknown product. */
export function productDirectionCase(column = 'product'): string {
  return `CASE ${column} ${Object.entries(productDirections).map(([p, d]) => `WHEN ${quotedString(p)} THEN ${quotedString(d)}`).join(' ')} END`;
}

export function vocabularyFragments(): Record<string, string> {
  return {
    product_direction: productDirectionCase(),
    products: inList(products),
    product_names: quotedString(products.join(', ')),
    counterparty_types: inList(counterpartyTypes),
    collateral_classes: inList(collateralClasses),
    hqla_classes: inList(collateralClasses.filter((c) => c !== 'NON_HQLA')),
    collateral_required: inList(collateralRequiredProducts),
    secured: inList(securedProducts),
    retail_forbidden: inList(retailForbiddenProducts),
    is_operational_products: inList(flagProducts.is_operational),
    is_insured_products: inList(flagProducts.is_insured),
    is_stable_products: inList(flagProducts.is_stable),
    is_encumbered_products: inList(flagProducts.is_encumbered),
    is_operational_names: quotedString(flagProducts.is_operational.join(', ')),
    is_insured_names: quotedString(flagProducts.is_insured.join(', ')),
    is_stable_names: quotedString(flagProducts.is_stable.join(', ')),
    is_encumbered_names: quotedString(flagProducts.is_encumbered.join(', ')),
  };
}
