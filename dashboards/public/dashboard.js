// The live page: fetches /api/dashboard, draws a card per legal entity, and listens on /api/events; a new gold
// version refetches the data and updates the cards in place (no reload). Data reaches the DOM as text only.
import { createCharts, updateCharts } from './charts.js';
import { formatMoney, formatPoints, formatTime, humanize, limitPercent, ratioToPercent } from './format.js';

const state = { version: undefined, loading: null, wanted: undefined, cards: new Map() };
const $ = (id) => document.getElementById(id);

function field(card, name) {
  return card.querySelector(`[data-field="${name}"]`);
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** Loads the data, again while a newer version was announced during the load. */
function refresh() {
  state.loading ??= (async () => {
    try {
      do {
        const response = await fetch('/api/dashboard', { cache: 'no-store', headers: { Accept: 'application/json' } });
        if (!response.ok) throw new Error(`/api/dashboard answered ${response.status}`);
        render(await response.json());
      } while (typeof state.wanted === 'number' && (state.version === null || state.wanted > state.version));
    } catch (err) {
      showNotice(`Could not load the figures (${err.message}); retrying.`);
      setTimeout(refresh, 3_000);
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

function render(data) {
  state.version = data.goldVersion;
  document.body.dataset.goldVersion = String(data.goldVersion ?? '');
  setText($('meta'), data.goldVersion === null
    ? 'no gold version yet'
    : `gold version ${data.goldVersion} · computed at ${formatTime(data.computedAt)} · as of ${data.asOfDate}`);
  showNotice(data.goldVersion === null ? 'Gold has no version yet: run `lakehouse run gold`; this page updates when it publishes.' : null);
  renderAlerts(data.entities);

  const container = $('entities');
  const seen = new Set();
  for (const entity of data.entities) {
    seen.add(entity.legalEntity);
    let card = state.cards.get(entity.legalEntity);
    if (card === undefined) {
      card = { element: $('entity-card').content.firstElementChild.cloneNode(true), charts: null };
      card.element.dataset.entity = entity.legalEntity;
      container.append(card.element);
      state.cards.set(entity.legalEntity, card);
    }
    container.append(card.element); // keeps the server's order
    updateCard(card, entity);
  }
  for (const [id, card] of state.cards) {
    if (seen.has(id)) continue;
    for (const chart of card.charts?.values() ?? []) chart.destroy();
    card.element.remove();
    state.cards.delete(id);
  }
}

function renderAlerts(entities) {
  const below = entities.filter((e) => e.latest.belowMinimum).map((e) => e.legalEntity);
  const underLimit = entities.filter((e) => !e.latest.belowMinimum && e.latest.belowInternalLimit).map((e) => e.legalEntity);
  const parts = [];
  if (below.length > 0) parts.push(`below 100%: ${below.join(', ')}`);
  if (underLimit.length > 0) parts.push(`below the internal limit: ${underLimit.join(', ')}`);
  const alerts = $('alerts');
  alerts.hidden = parts.length === 0;
  alerts.dataset.level = below.length > 0 ? 'breach' : 'warning';
  setText(alerts, parts.join(' · '));
}

function updateCard(card, entity) {
  const { element } = card;
  const { latest, previous, reportingCurrency: currency } = entity;
  const money = (amount, options) => formatMoney(amount, currency, options);
  const before = element.dataset.lcr;
  const level = latest.belowMinimum ? 'breach' : latest.belowInternalLimit ? 'warning' : 'ok';
  element.dataset.level = level;
  element.dataset.lcr = latest.lcr ?? '';
  setText(field(element, 'entity'), entity.legalEntity);
  setText(field(element, 'currency'), currency);
  setText(field(element, 'as-of'), latest.asOfDate);

  const lcr = field(element, 'lcr');
  lcr.dataset.value = latest.lcr ?? '';
  lcr.dataset.asOf = latest.asOfDate;
  setText(lcr, ratioToPercent(latest.lcr));
  setText(field(element, 'lcr-change'), previous === null ? 'first date' : `${formatPoints(latest.lcr, previous.lcr)} since ${previous.asOfDate}`);

  const status = field(element, 'status');
  status.dataset.level = level;
  setText(status, level === 'breach'
    ? `BREACH: below the 100% minimum, short by ${money(-Number(latest.buffer))}`
    : level === 'warning'
      ? `Below the internal limit of ${limitPercent(latest.internalLimit)}, short by ${money(-Number(latest.internalLimitBuffer))}`
      : latest.lcr === null ? 'No net cash outflows: no ratio' : `Within limits (internal limit ${limitPercent(latest.internalLimit)})`);

  setText(field(element, 'hqla'), money(latest.hqlaTotal));
  setText(field(element, 'nco'), money(latest.netCashOutflows));
  setText(field(element, 'buffer'), money(latest.buffer, { signed: true }));
  setText(field(element, 'limit'), limitPercent(latest.internalLimit));
  setText(field(element, 'limit-buffer'), money(latest.internalLimitBuffer, { signed: true }));
  renderDrivers(element, entity, money);

  if (card.charts === null) card.charts = createCharts(element, entity);
  else updateCharts(card.charts, entity);
  if (before !== undefined && before !== element.dataset.lcr) flash(element);
}

function renderDrivers(element, entity, money) {
  setText(field(element, 'previous-date'), entity.drivers.previousDate ?? 'the previous date');
  const rows = entity.drivers.rows.map((d) => {
    const row = document.createElement('tr');
    const kind = d.kind === 'hqla' ? 'HQLA' : d.kind === 'inflow_cap' ? 'Inflow cap' : humanize(d.kind);
    const cells = [d.kind === 'inflow_cap' ? humanize(d.component) : `${kind} · ${humanize(d.component)}`, money(d.change, { signed: true }), money(d.bufferEffect, { signed: true })];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    row.lastElementChild.dataset.sign = Number(d.bufferEffect) > 0 ? 'up' : Number(d.bufferEffect) < 0 ? 'down' : 'flat';
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 3;
    cell.className = 'empty';
    cell.textContent = 'No previous date to compare with.';
    row.append(cell);
    rows.push(row);
  }
  field(element, 'drivers').replaceChildren(...rows);
}

function flash(element) {
  element.classList.remove('updated');
  void element.offsetWidth; // restarts the animation
  element.classList.add('updated');
}

function showNotice(text) {
  const notice = $('notice');
  notice.hidden = text === null;
  setText(notice, text ?? '');
}

function setConnection(stateName, label) {
  const connection = $('connection');
  connection.dataset.state = stateName;
  setText(connection.querySelector('.label'), label);
}

function listen() {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => setConnection('live', 'live'));
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) setConnection('offline', 'offline: reload to retry');
    else setConnection('reconnecting', 'reconnecting…');
  });
  source.addEventListener('gold-version', (event) => {
    const { version } = JSON.parse(event.data);
    state.wanted = version;
    if (version !== state.version) refresh();
  });
}

listen();
refresh();
