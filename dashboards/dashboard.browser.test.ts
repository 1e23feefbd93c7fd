/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core): each entity's LCR on the page
 * is gold.lcr's, and a new gold version reaches the open page within 5 seconds, without a reload. Screenshots go to
 * test-artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGold } from '../gold/build-gold.js';
import type { TestLake } from '../silver/test-fixtures/lake.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import { days, goldLake, knownAt, latestLcr } from './test-fixtures/gold-lake.js';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let lake: TestLake;
let server: DashboardServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];
beforeAll(async () => {
  [lake, browser] = await Promise.all([
    goldLake(),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ]);
  server = await startDashboardServer({ store: lake.store, port: 0 });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await mkdir(artifacts, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await lake?.close();
});

/** gold.lcr's ratio as the page shows it, worked out here on its own: percent, one decimal, half away from zero. */
function percent(ratio: string): string {
  const [whole, fraction] = ratio.split('.');
  expect(fraction).toHaveLength(6);
  const tenths = (BigInt(whole + fraction) + 500n) / 1000n;
  return `${tenths / 10n}.${tenths % 10n}%`;
}

/** What the page shows per entity: its LCR's exact value, its text, its date and its status. */
async function shown(): Promise<string[][]> {
  return page.$$eval('[data-entity]', (cards) => cards.map((card) => {
    const lcr = card.querySelector<HTMLElement>('[data-field="lcr"]')!;
    const status = card.querySelector<HTMLElement>('[data-field="status"]')!;
    return [(card as HTMLElement).dataset.entity!, lcr.dataset.value!, lcr.textContent!, lcr.dataset.asOf!, status.dataset.level!];
  }));
}

async function expected(): Promise<string[][]> {
  return (await latestLcr(lake)).map((r) => [
    String(r.legal_entity), String(r.lcr), percent(String(r.lcr)), String(r.as_of_date), r.below_internal_limit ? 'warning' : 'ok',
  ]);
}

/** Waits until the page shows `want`; the time it took. */
async function until(want: string[][], timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const now = await shown();
    if (JSON.stringify(now) === JSON.stringify(want)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return expect(now).toEqual(want) as never;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the dashboard in a browser', () => {
  it("shows each entity's LCR as gold.lcr has it, then each new gold version within 5 seconds, without a reload", async () => {
    await page.goto(server.url);
    const first = await expected();
    expect(first.map((e) => e[3])).toEqual([days[1], days[1], days[1]]);
    await until(first, 10_000);
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 5_000 });
    expect(await page.textContent('#meta')).toContain('gold version 2');
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 1; });

    // A new date: every entity's latest LCR changes.
    const published = await buildGold({ store: lake.store, businessDate: days[2], knownAt });
    expect([published.published, published.version]).toEqual([true, 3]);
    const next = await expected();
    expect(next.map((e) => e[3])).toEqual([days[2], days[2], days[2]]);
    expect(await until(next, 5_000)).toBeLessThan(5_000);
    expect(await page.textContent('#meta')).toContain('gold version 3');
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });

    // A restatement with a higher internal limit: the entities now under it get the amber banner.
    const restated = await buildGold({ store: lake.store, businessDate: days[2], knownAt, internalLimit: '2.5' });
    expect([restated.published, restated.reason, restated.version]).toEqual([true, 'restated', 4]);
    const warned = await expected();
    expect(warned.some((e) => e[4] === 'warning')).toBe(true);
    expect(await until(warned, 5_000)).toBeLessThan(5_000);
    expect(await page.isVisible('#alerts')).toBe(true);
    await page.screenshot({ path: `${artifacts}dashboard-internal-limit.png` });

    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    expect(problems).toEqual([]);
  });
});
