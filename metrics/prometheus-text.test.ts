/** The exposition writer: escapes that survive Prometheus' own parser, names it refuses, histograms. */
import { describe, expect, it } from 'vitest';
import { Histogram, renderFamilies } from './prometheus-text.js';
import { parseExposition, parseWithPrometheusClient } from './test-fixtures/exposition.js';

describe('renderFamilies', () => {
  it('escapes label values so that backslashes, quotes and line feeds come back as they were', async () => {
    const nasty = 'a "quoted" \\path\\ with\nnew line and {braces}, commas=1';
    const text = renderFamilies([
      { name: 'x_total', type: 'counter', help: 'help with \\ and\nline feed', samples: [{ labels: { rule: nasty, topic: 'trades' }, value: 3 }] },
      { name: 'y', type: 'gauge', help: 'exact decimals pass through', samples: [{ value: '1.699167' }, { labels: { k: 'inf' }, value: Infinity }] },
    ]);
    expect(text).toContain('# HELP x_total help with \\\\ and\\nline feed\n');
    expect(text).toContain('x_total{rule="a \\"quoted\\" \\\\path\\\\ with\\nnew line and {braces}, commas=1",topic="trades"} 3\n');
    const ours = parseExposition(text);
    expect(ours.samples).toEqual([
      { name: 'x_total', labels: { rule: nasty, topic: 'trades' }, value: 3 },
      { name: 'y', labels: {}, value: 1.699167 },
      { name: 'y', labels: { k: 'inf' }, value: Infinity },
    ]);
    const theirs = await parseWithPrometheusClient(text);
    expect(theirs.map(({ name, labels, value }) => ({ name, labels, value }))).toEqual(ours.samples);
  });

  it('refuses invalid metric and label names, a family given twice, and a value that is not a number', () => {
    expect(() => renderFamilies([{ name: 'bad-name', type: 'gauge', help: '', samples: [{ value: 1 }] }])).toThrow(/invalid metric name/);
    expect(() => renderFamilies([{ name: 'ok', type: 'gauge', help: '', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => renderFamilies([{ name: 'ok', type: 'gauge', help: '', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => renderFamilies([{ name: 'ok', type: 'gauge', help: '', samples: [] }, { name: 'ok', type: 'gauge', help: '', samples: [] }])).toThrow(/twice/);
    expect(() => renderFamilies([{ name: 'ok', type: 'gauge', help: '', samples: [{ value: '1.2.3' }] }])).toThrow(/not a number/);
  });

  it('leaves out a family without samples', () => {
    expect(renderFamilies([{ name: 'empty', type: 'gauge', help: 'nothing', samples: [] }])).toBe('');
  });

  it('writes cumulative histogram buckets, and merges histograms of the same bounds', async () => {
    const a = new Histogram([1, 5]);
    for (const v of [0.5, 1, 2]) a.observe(v);
    const b = new Histogram([1, 5]);
    b.observe(10);
    a.merge(b);
    const text = renderFamilies([{ name: 'd_seconds', type: 'histogram', help: 'durations', samples: a.samples({ layer: 'silver' }) }]);
    expect(text.split('\n').slice(2)).toEqual([
      'd_seconds_bucket{layer="silver",le="1"} 2', 'd_seconds_bucket{layer="silver",le="5"} 3', 'd_seconds_bucket{layer="silver",le="+Inf"} 4',
      'd_seconds_sum{layer="silver"} 13.5', 'd_seconds_count{layer="silver"} 4', '',
    ]);
    expect((await parseWithPrometheusClient(text)).map((s) => s.type)).toEqual(['histogram', 'histogram', 'histogram', 'histogram', 'histogram']);
  });
});
