/**
 * The one rule layer of the LCR: `loadRegime('basel' | 'us')` reads gold/regime/<name>.json, resolves `extends`,
 * validates it with zod once and returns a frozen, typed regime. A broken file is a RegimeError naming the file and
 * every offending field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { TerminalError } from '../../lib/errors.js';
import {
  baseRegimeFileSchema, extendingRegimeFileSchema, regimeSchema, type ExtendingRegimeFile, type RegimeData,
} from './regime-schema.js';

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
export type Regime = DeepReadonly<RegimeData & { file: string }>;
export type RateRule = Regime['outflows'][number];
export type RateSelector = RateRule['when'];

export const regimeNames = ['basel', 'us'] as const;
export const defaultRegimeName = 'basel';

export class RegimeError extends TerminalError {}

// Compiled code runs from dist/gold/regime/, tests from gold/regime/: the JSON files stay in the source tree.
const regimeDirs = [fileURLToPath(new URL('./', import.meta.url)), fileURLToPath(new URL('../../../gold/regime/', import.meta.url))];
const cache = new Map<string, Regime>();

export function loadRegime(name: string = defaultRegimeName, options: { dir?: string } = {}): Regime {
  return load(name, options.dir, []);
}

function load(name: string, dir: string | undefined, chain: string[]): Regime {
  if (!/^[a-z0-9_-]+$/.test(name)) throw new RegimeError(`regime name ${JSON.stringify(name)} must be a lower-case file name`, { regime: name });
  const file = regimeFile(name, dir);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  if (chain.includes(file)) throw new RegimeError(`${file}: extends itself through ${chain.join(' -> ')}`, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RegimeError(`${file}: ${(err as Error).message}`, { file }, err);
  }
  let data: unknown;
  if (typeof raw === 'object' && raw !== null && 'extends' in raw) {
    const own = parse(extendingRegimeFileSchema, raw, file);
    data = extend(load(own.extends, dir, [...chain, file]), own, file);
  } else {
    const own = parse(baseRegimeFileSchema, raw, file);
    data = { ...own, extends: null };
  }
  const regime = deepFreeze({ ...parse(regimeSchema, data, file), file });
  cache.set(file, regime);
  return regime;
}

function regimeFile(name: string, dir: string | undefined): string {
  if (dir !== undefined) return join(dir, `${name}.json`);
  const found = regimeDirs.map((d) => join(d, `${name}.json`)).find((f) => existsSync(f));
  if (found === undefined) throw new RegimeError(`no regime file ${name}.json in ${regimeDirs[0]}`, { regime: name });
  return found;
}

function parse<S extends z.ZodType>(schema: S, raw: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
  throw new RegimeError(`${file}: ${issues.join('; ')}`, { file, fields: result.error.issues.map((i) => fieldPath(i.path)) });
}

function fieldPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The parent's parameters with the child's on top; inherited rules are marked unconfirmed, and must be listed as such. */
function extend(base: Regime, own: ExtendingRegimeFile, file: string): unknown {
  const problems: string[] = [];
  const notConfirmed = new Set(own.not_confirmed);
  const mergeRules = (key: 'outflows' | 'inflows') => {
    const overrides = new Map(own[key].map((o, i) => [o.id, { ...o, i }]));
    for (const [id, o] of overrides) if (!base[key].some((r) => r.id === id)) problems.push(`${key}[${o.i}].id: no rule ${id} in ${base.id}`);
    return base[key].flatMap((rule) => {
      const o = overrides.get(rule.id);
      if (o !== undefined) {
        if (notConfirmed.has(rule.id)) problems.push(`not_confirmed: ${rule.id} is also overridden`);
        return o.rate === null ? [] : [{ ...rule, rate: o.rate, source: o.source, confirmed: true }];
      }
      if (!notConfirmed.has(rule.id)) problems.push(`${key}: ${rule.id} is inherited from ${base.id} but neither overridden nor listed in not_confirmed`);
      return [{ ...rule, confirmed: false }];
    });
  };
  const outflows = mergeRules('outflows');
  const inflows = mergeRules('inflows');
  const inherited = new Set([...base.outflows, ...base.inflows].map((r) => r.id));
  own.not_confirmed.forEach((id, i) => { if (!inherited.has(id)) problems.push(`not_confirmed[${i}]: no rule ${id} in ${base.id}`); });
  if (problems.length > 0) throw new RegimeError(`${file}: ${problems.join('; ')}`, { file });
  const levels: Record<string, unknown> = { ...base.hqla_levels };
  for (const [level, value] of Object.entries(own.hqla_levels ?? {})) {
    if (value === null) delete levels[level];
    else levels[level] = value;
  }
  return {
    id: own.id, version: own.version, effective_from: own.effective_from, description: own.description, extends: base.id,
    horizon_days: own.horizon_days ?? base.horizon_days,
    hqla_levels: levels,
    asset_products: { ...base.asset_products, ...own.asset_products },
    caps: own.caps ?? base.caps,
    inflow_cap: own.inflow_cap ?? base.inflow_cap,
    outflows, inflows,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
