/** Settlement dates: trade date plus business days, weekends skipped (holiday calendars are not modelled). */
const memo = new Map<string, string>();

export function addBusinessDays(isoDate: string, days: number): string {
  const key = `${isoDate}+${days}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const d = new Date(`${isoDate}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  const result = d.toISOString().slice(0, 10);
  if (memo.size < 10_000) memo.set(key, result);
  return result;
}
