// The four charts of an entity card, on Chart.js (loaded as the global `Chart` by chart.umd.min.js). Each chart is
// made once per card and updated in place: new labels and datasets, redrawn without animation.
import { formatMoney, formatTick, humanize, limitPercent } from './format.js';

const colors = {
  lcr: '#1f5fbf',
  minimum: '#c62828',
  limit: '#b26a00',
  hqla: '#1f5fbf',
  haircut: '#b8c2cc',
  cap: '#f2a65a',
  outflow: '#c62828',
  inflow: '#2e7d32',
  nco: '#c62828',
};

const Chart = globalThis.Chart;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.color = '#444';
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.plugins.legend.labels.boxWidth = 10;
Chart.defaults.plugins.legend.labels.boxHeight = 10;

const moneyAxis = (entity) => ({ ticks: { callback: (v) => formatTick(v) }, title: { display: true, text: entity.reportingCurrency } });
const moneyTooltip = (entity) => ({ callbacks: { label: (c) => `${c.dataset.label}: ${formatMoney(c.parsed[c.chart.options.indexAxis === 'y' ? 'x' : 'y'], entity.reportingCurrency)}` } });

/** LCR over time with the 100% minimum and the internal limit as reference lines. */
function lcrChart(entity) {
  const dates = entity.history.map((p) => p.asOfDate);
  const limit = entity.latest.internalLimit;
  return {
    type: 'line',
    data: {
      labels: dates,
      datasets: [
        { label: 'LCR', data: entity.history.map((p) => (p.lcr === null ? null : Number(p.lcr) * 100)), borderColor: colors.lcr, backgroundColor: colors.lcr, borderWidth: 2.5, pointRadius: 3, tension: 0 },
        { label: `internal limit ${limitPercent(limit)}`, data: entity.history.map((p) => Number(p.internalLimit) * 100), borderColor: colors.limit, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, stepped: true },
        { label: 'minimum 100%', data: dates.map(() => 100), borderColor: colors.minimum, borderDash: [3, 3], borderWidth: 1.5, pointRadius: 0 },
      ],
    },
    options: {
      scales: { y: { suggestedMin: 80, ticks: { callback: (v) => `${v}%` } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? 'n/a' : `${c.parsed.y.toFixed(1)}%`}` } } },
    },
  };
}

/** HQLA by level on the latest date: what counts after haircuts and caps, and what the haircut and caps took off. */
function hqlaChart(entity) {
  const levels = entity.hqlaByLevel;
  return {
    type: 'bar',
    data: {
      labels: levels.map((l) => humanize(l.level)),
      datasets: [
        { label: 'after haircuts and caps', data: levels.map((l) => Number(l.afterCaps)), backgroundColor: colors.hqla },
        { label: 'cap', data: levels.map((l) => Number(l.capAdjustment)), backgroundColor: colors.cap },
        { label: 'haircut', data: levels.map((l) => Number(l.haircut)), backgroundColor: colors.haircut },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, ...moneyAxis(entity) }, y: { stacked: true, ticks: { autoSkip: false } } },
      plugins: { tooltip: moneyTooltip(entity) },
    },
  };
}

/** Weighted outflows against inflows per product on the latest date. */
function flowsChart(entity) {
  const flows = entity.flows;
  return {
    type: 'bar',
    data: {
      labels: flows.map((f) => humanize(f.product)),
      datasets: [
        { label: 'outflows (weighted)', data: flows.map((f) => (f.outflow === null ? null : Number(f.outflow))), backgroundColor: colors.outflow },
        { label: 'inflows (weighted)', data: flows.map((f) => (f.inflow === null ? null : Number(f.inflow))), backgroundColor: colors.inflow },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: moneyAxis(entity), y: { stacked: true, ticks: { autoSkip: false } } },
      plugins: { tooltip: moneyTooltip(entity) },
    },
  };
}

/** HQLA against net cash outflows per date (the ratio's numerator and denominator), the last 30 dates. */
function ncoChart(entity) {
  const points = entity.history.slice(-30);
  return {
    type: 'bar',
    data: {
      labels: points.map((p) => p.asOfDate),
      datasets: [
        { label: 'HQLA', data: points.map((p) => Number(p.hqlaTotal)), backgroundColor: colors.hqla },
        { label: 'net cash outflows', data: points.map((p) => Number(p.netCashOutflows)), backgroundColor: colors.nco },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ...moneyAxis(entity) } }, plugins: { tooltip: moneyTooltip(entity) } },
  };
}

const builders = { lcr: lcrChart, hqla: hqlaChart, flows: flowsChart, nco: ncoChart };

/** Makes the card's charts: one per `canvas[data-chart]`. */
export function createCharts(card, entity) {
  const charts = new Map();
  for (const canvas of card.querySelectorAll('canvas[data-chart]')) {
    const name = canvas.dataset.chart;
    charts.set(name, new Chart(canvas, builders[name](entity)));
  }
  return charts;
}

/** Puts the entity's new figures into its charts without making them again. */
export function updateCharts(charts, entity) {
  for (const [name, chart] of charts) {
    const next = builders[name](entity);
    chart.data.labels = next.data.labels;
    next.data.datasets.forEach((dataset, i) => {
      if (chart.data.datasets[i] === undefined) chart.data.datasets[i] = dataset;
      else Object.assign(chart.data.datasets[i], { label: dataset.label, data: dataset.data });
    });
    chart.update('none');
  }
}
