/**
 * The Prometheus text exposition format, version 0.0.4: per metric family a `# HELP` and a `# TYPE` line, then its
 * samples, `name{label="value",...} number`. Label values escape backslash, double quote and line feed; HELP text
 * escapes backslash and line feed. Names are checked here, so a bad one fails in tests rather than in a scraper.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
export type Labels = Record<string, string | number>;

export interface Sample {
  /** Appended to the family name: '_bucket', '_sum', '_count' for histograms. */
  suffix?: string;
  labels?: Labels;
  /** A number, or the text of an exact decimal (e.g. an LCR of "1.699167"). */
  value: number | string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const contentType = 'text/plain; version=0.0.4; charset=utf-8';

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number | string): string {
  if (typeof value === 'string') {
    if (!decimalText.test(value)) throw new Error(`metric value ${JSON.stringify(value)} is not a number`);
    return value;
  }
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => {
    if (!labelName.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    return `${k}="${escapeLabelValue(String(v))}"`;
  }).join(',')}}`;
}

/** The exposition text of the families, in the order given; families without samples are left out. */
export function renderFamilies(families: MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!metricName.test(family.name)) throw new Error(`invalid metric name ${JSON.stringify(family.name)}`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} given twice`);
    seen.add(family.name);
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const s of family.samples) lines.push(`${family.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Observations counted into buckets; `merge` adds another histogram of the same bounds. */
export class Histogram {
  /** Per bound, the observations at or below it and above the bound before (not cumulative). */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    const i = this.bounds.findIndex((le) => value <= le);
    if (i >= 0) this.counts[i] += 1;
    this.sum += value;
    this.count += 1;
  }

  merge(other: Histogram): void {
    other.counts.forEach((n, i) => { this.counts[i] += n; });
    this.sum += other.sum;
    this.count += other.count;
  }

  /** `_bucket` per bound (cumulative) and +Inf, `_sum`, `_count`. */
  samples(labels: Labels = {}): Sample[] {
    let cumulative = 0;
    const samples: Sample[] = this.bounds.map((le, i) => {
      cumulative += this.counts[i];
      return { suffix: '_bucket', labels: { ...labels, le: formatValue(le) }, value: cumulative };
    });
    samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.count });
    samples.push({ suffix: '_sum', labels, value: this.sum });
    samples.push({ suffix: '_count', labels, value: this.count });
    return samples;
  }
}
