// Formatting for the page. Ratios arrive as gold's exact decimal strings ("1.234567") and are turned into percentages
// with integer arithmetic, so the page shows gold's value rounded once (half away from zero), never a float's guess.

/** "1.234567" -> "123.5%" (digits after the point); null or malformed -> "n/a". */
export function ratioToPercent(ratio, digits = 1) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(ratio ?? ''));
  if (match === null) return 'n/a';
  const [, sign, whole, fraction = ''] = match;
  const scaled = BigInt(whole + fraction); // the ratio times 10^fraction.length
  const shift = 2 + digits - fraction.length; // percent times 10^digits = ratio times 10^(2 + digits)
  let units;
  if (shift >= 0) units = scaled * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    units = (scaled * 2n + divisor) / (2n * divisor);
  }
  const text = units.toString().padStart(digits + 1, '0');
  const number = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return `${sign === '-' && units !== 0n ? '-' : ''}${number}%`;
}

/** A limit such as "1.1000" as "110%", "1.125" as "112.5%". */
export function limitPercent(ratio) {
  return ratioToPercent(ratio, 2).replace(/\.?0+%$/, '%');
}

const moneyFormats = new Map();

/** Compact money in the entity's currency: "$4.26B", "€712.4M"; signed adds "+" to gains. */
export function formatMoney(amount, currency, { signed = false } = {}) {
  if (amount === null || amount === undefined) return '–';
  const key = `${currency}:${signed}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    const options = { notation: 'compact', maximumFractionDigits: 2, minimumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' };
    try {
      format = new Intl.NumberFormat('en', { ...options, style: 'currency', currency });
    } catch {
      const plain = new Intl.NumberFormat('en', options);
      format = { format: (n) => `${plain.format(n)} ${currency}` };
    }
    moneyFormats.set(key, format);
  }
  return format.format(Number(amount));
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** An axis tick: 4.2B, 350M. */
export function formatTick(value) {
  return compact.format(Number(value));
}

/** The change of a ratio between two dates in percentage points: "+2.1 pp", "-21.4 pp". */
export function formatPoints(now, before) {
  if (now === null || before === null || now === undefined || before === undefined) return 'n/a';
  const points = (Number(now) - Number(before)) * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : '±'}${Math.abs(points).toFixed(1)} pp`;
}

/** "UNSECURED_WHOLESALE_FUNDING" -> "Unsecured wholesale funding"; "level2a" -> "Level 2A". */
export function humanize(code) {
  const level = /^level(\d)([ab]?)$/i.exec(code);
  if (level !== null) return `Level ${level[1]}${level[2].toUpperCase()}`;
  const words = String(code).replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "2026-03-03T07:28:42.997Z" -> "2026-03-03 07:28:42 UTC". */
export function formatTime(iso) {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
