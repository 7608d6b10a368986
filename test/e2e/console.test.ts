/**
 * The console in a real browser — Debian's chromium driven by playwright-core (no browser
 * download) — against the stack the e2e global setup brought up with `oms up`. Every page
 * is checked to load nothing from outside 127.0.0.1, and each leaves a screenshot under
 * .oms/artifacts/screenshots (`oms report` archives that dir).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../cli/src/lib/stack/catalogue.js';
import { useLocalOnlyBrowser } from './browser.js';
import { CONSOLE, createCustomer, json, oms, ORDERS, someProducts } from './helpers.js';

/** Every component of the catalogue, and the console. */
const COMPONENTS = [...CATALOGUE.map((c) => c.id), 'console'];

const browser = useLocalOnlyBrowser();
const shot = (name: string) => browser.shot(name);
let page: Page;

async function open(hash: string): Promise<Page> {
  page = await browser.open(`${CONSOLE}/${hash}`);
  return page;
}

/** A fresh order over REST; its id. */
async function placeOrder(label: string): Promise<string> {
  const customer = await createCustomer(label);
  const [product] = await someProducts(1);
  const res = await json<{ id: string }>('POST', `${ORDERS}/orders`, { customerId: customer.id, items: [{ sku: product!.sku, quantity: 1, addressId: customer.addressId }] });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('the console in a browser', () => {
  it('when the overview opens, then every component of the stack is listed as ready, with its log', async () => {
    await open('#/overview');
    for (const id of COMPONENTS) await page.waitForSelector(`tr[data-component="${id}"][data-state="ready"]`, { timeout: 30_000 });
    expect(await page.locator('tr[data-component]').count()).toBe(COMPONENTS.length);
    expect(await page.locator('[data-connector]').count()).toBe(4);
    expect(await page.locator('details.log pre').first().textContent()).not.toBe('');
    await shot('overview');
  });

  it('when a component is stopped, then the overview shows it stopped with the command that starts it', async () => {
    const stop = await oms(['down', '--only', 'orders-stream']);
    expect(stop.exitCode, stop.all).toBe(0);
    try {
      await open('#/overview');
      const row = page.locator('tr[data-component="orders-stream"][data-state="stopped"]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.locator('.start code').textContent()).toBe('oms up --only orders-stream');
      expect(await page.locator('[data-healthy="false"]').count()).toBe(1);
      expect(await page.locator('[data-role=not-ready]').textContent()).toContain('orders-stream (stopped)');
      await row.scrollIntoViewIfNeeded();
      await shot('overview-stopped');
    } finally {
      const start = await oms(['up', '--only', 'orders-stream', '--no-seed']);
      expect(start.exitCode, start.all).toBe(0);
    }
  });

  it('when an order is placed, then its record appears in the topic browser, and the live tail shows the next one', async () => {
    const first = await placeOrder('console-topics');
    await open('#/topics/order');
    const record = (id: string, where: string) => page.locator(`[data-role=${where}] article.record`, { hasText: id });
    // CDC takes a moment: read again until the record is there.
    await expect.poll(async () => {
      await page.click('[data-role=read]');
      await page.waitForSelector('[data-role=browser-results] article.record, [data-role=browser-results] .problem');
      return record(first, 'browser-results').count();
    }, { timeout: 30_000, interval: 500 }).toBe(1);
    await page.click('[data-role=tail]');
    await page.waitForSelector('text=/following order/');
    const next = await placeOrder('console-tail');
    await record(next, 'tail-results').waitFor({ timeout: 30_000 });
    await shot('topics');
  });

  it('when an offset out of range is asked, then the browser says which offsets are valid', async () => {
    await open('#/topics/order');
    await page.selectOption('select[name=partition]', '0');
    await page.selectOption('select[name=mode]', 'offset');
    await page.fill('input[name=offset]', '99999999');
    await page.click('[data-role=read]');
    const problem = page.locator('[data-role=browser-results] .problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/offset 99999999 is out of range for topic order.*partition 0: 0–\d+/s);
  });

  it('when a demo order is placed on the trace page, then every hop appears with its time and the delta to the one before', async () => {
    await open('#/trace');
    await page.click('[data-role=demo-order]');
    await page.waitForSelector('section.trace-result[data-complete="true"]', { timeout: 60_000 });
    const hops = page.locator('li.hop');
    expect(await hops.evaluateAll((els) => els.map((e) => e.getAttribute('data-hop')))).toEqual(['mariadb', 'order', 'order_detail', 'orders-graph', 'postgres', 'graphql']);
    expect(await page.locator('li.hop[data-found="true"]').count()).toBe(6);
    for (const time of await page.locator('li.hop .time').allTextContents()) expect(time).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(await page.locator('li.hop .delta').allTextContents()).toEqual(['', ...Array(5).fill(expect.stringMatching(/^[+−]\d+ ms$/))]);
    await shot('trace');
  });

  it('when an unknown or malformed order id is traced, then the page says so plainly, without a stack trace', async () => {
    await open('#/trace/00000000-0000-4000-8000-000000000000');
    const problem = page.locator('.problem');
    await problem.waitFor({ timeout: 30_000 });
    const text = (await problem.textContent()) ?? '';
    expect(text).toContain('was not found at any hop');
    expect(text).toContain('MariaDB row orders.order: no row with id');
    expect(text).not.toMatch(/at .+\.(js|ts):\d+/);
    await page.fill('input[name=orderId]', 'not-an-id');
    await page.click('[data-role=trace]');
    await page.locator('.problem', { hasText: 'is not an order id' }).waitFor();
  });

  it('when the connectors page opens, then each connector shows its tasks and a restart button', async () => {
    await open('#/connectors');
    for (const name of ['oms-customers', 'oms-orders', 'oms-graph']) await page.waitForSelector(`article.connector[data-connector="${name}"][data-state="running"] [data-role=restart]`);
    await shot('connectors');
  });

  it('when the consumer groups page opens, then the pipeline groups show members and lag per partition', async () => {
    await open('#/groups');
    for (const g of ['orders-stream', 'connect-oms-graph', 'products-indexer']) await page.waitForSelector(`article.group[data-group="${g}"] .lag-table tbody tr`);
    await shot('groups');
  });

  it('when each page asks the console API on the warm stack, then it answers in under 500 ms', async () => {
    const orderId = await placeOrder('console-timing');
    await new Promise((r) => setTimeout(r, 2000));
    const paths = ['/api/overview', '/api/topics', '/api/topics/order/records?limit=5', '/api/connectors', '/api/groups', `/api/trace/${orderId}`];
    const timings: Record<string, number> = {};
    for (const path of paths) {
      await fetch(`${CONSOLE}${path}`).then((r) => r.text()); // warm
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const res = await fetch(`${CONSOLE}${path}`);
        await res.text();
        expect(res.status, path).toBe(200);
        ms.push(performance.now() - t0);
      }
      timings[path] = Math.round(ms.sort((a, b) => a - b)[2]!);
    }
    process.stderr.write(`[console] median API times (ms): ${JSON.stringify(timings)}\n`);
    for (const [path, median] of Object.entries(timings)) expect(median, path).toBeLessThan(500);
  });
});
