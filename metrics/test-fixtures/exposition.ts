/**
 * Two readers of the Prometheus text format for the tests: a strict one written here from the format's description
 * (HELP and TYPE before a family's samples, samples of a family together, suffixes by type, unique series, escapes),
 * and Prometheus' own Python client's parser (Debian's python3-prometheus-client) as the independent check.
 */
import { execFile } from 'node:child_process';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  families: Map<string, { type: string; help: string }>;
  samples: ParsedSample[];
}

const suffixes: Record<string, string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${text}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
    if (m === null) throw new Error(`bad label at ${JSON.stringify(text.slice(i))} in: ${line}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i++];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else throw new Error(`bad escape \\${e} in: ${line}`);
      } else if (c === '\n') throw new Error(`raw line feed in a label value: ${line}`);
      else value += c;
    }
    if (m[1] in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]] = value;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`expected ',' in: ${line}`);
  }
  return labels;
}

/** Parses and checks the text; throws naming the first line that breaks the format. */
export function parseExposition(text: string): ParsedExposition {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const families = new Map<string, { type: string; help: string }>();
  const samples: ParsedSample[] = [];
  const series = new Set<string>();
  const closed = new Set<string>();
  let current: string | null = null;
  for (const line of text.split('\n').slice(0, -1)) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help !== null || type !== null) {
      const name = (help ?? type)![1];
      if (current !== name) {
        if (current !== null) closed.add(current);
        if (closed.has(name) || families.has(name)) throw new Error(`family ${name} described apart from its samples: ${line}`);
        current = name;
      }
      const family = families.get(name) ?? { type: '', help: '' };
      if (help !== null) family.help = help[2];
      if (type !== null) {
        if (family.type !== '') throw new Error(`TYPE twice: ${line}`);
        if (samples.some((s) => s.name.startsWith(name))) throw new Error(`TYPE after samples: ${line}`);
        family.type = type[2];
      }
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = m;
    if (current === null) throw new Error(`sample before any TYPE: ${line}`);
    const family = families.get(current)!;
    if (family.type === '') throw new Error(`sample of a family without TYPE: ${line}`);
    if (!suffixes[family.type].some((s) => name === `${current}${s}`)) throw new Error(`sample ${name} does not belong to ${current} (${family.type})`);
    const labels = labelText === undefined ? {} : parseLabels(labelText, line);
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(id)) throw new Error(`series given twice: ${line}`);
    series.add(id);
    samples.push({ name, labels, value: parseValue(valueText) });
  }
  return { families, samples };
}

const pythonParser = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": repr(s.value)})
print(json.dumps(out))
`;

/** The samples as Prometheus' Python client parses them; fails with how to install it when it is missing. */
export function parseWithPrometheusClient(text: string): Promise<(ParsedSample & { family: string; type: string })[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', pythonParser], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const missing = /No module named 'prometheus_client'|ENOENT/.test(`${stderr} ${err.message}`);
        reject(new Error(missing ? 'the independent parser is missing: apt-get install -y python3-prometheus-client' : `prometheus_client refused the text: ${stderr || err.message}`));
        return;
      }
      const rows = JSON.parse(stdout) as { family: string; type: string; name: string; labels: Record<string, string>; value: string }[];
      resolve(rows.map((r) => ({ ...r, value: r.value === 'inf' ? Infinity : r.value === '-inf' ? -Infinity : Number(r.value) })));
    });
    child.stdin!.end(text);
  });
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or more than one. */
export function sampleValue(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(parsed, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return found[0].value;
}

export function samplesOf(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): ParsedSample[] {
  return parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
