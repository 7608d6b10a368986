/**
 * The API explorer pages in a real browser — Debian's chromium driven by playwright-core (no
 * browser download) — against the stack the e2e global setup brought up with `oms up`: each REST
 * service's Swagger UI at /docs and orders-graph's GraphiQL. Every request a page makes is
 * intercepted, and one not for 127.0.0.1 is refused and fails the test; each page leaves a
 * screenshot under .oms/artifacts/screenshots.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useLocalOnlyBrowser } from './browser.js';
import { createCustomer, CUSTOMERS, GRAPH, INVENTORY, json, ORDERS, PRODUCTS, someProducts } from './helpers.js';

const REST_SERVICES = { customers: CUSTOMERS, products: PRODUCTS, orders: ORDERS, inventory: INVENTORY };

const browser = useLocalOnlyBrowser();
const open = (url: string): Promise<Page> => browser.open(url);
const shot = (name: string) => browser.shot(name);

/** How many operations the service's own /openapi.json documents. */
async function operationCount(base: string): Promise<number> {
  const res = await json<{ paths: Record<string, Record<string, unknown>> }>('GET', `${base}/openapi.json`);
  expect(res.status).toBe(200);
  return Object.values(res.body.paths).reduce((n, item) => n + Object.keys(item).filter((k) => ['get', 'post', 'put', 'delete', 'patch'].includes(k)).length, 0);
}

describe('Swagger UI at /docs', () => {
  it.each(Object.entries(REST_SERVICES))('when %s /docs opens, then it renders one block per operation of its /openapi.json', async (name, base) => {
    const expected = await operationCount(base);
    expect(expected).toBeGreaterThan(3);
    const docs = await open(`${base}/docs`);
    await docs.waitForSelector('.opblock', { timeout: 30_000 });
    await expect.poll(() => docs.locator('.opblock').count(), { timeout: 10_000 }).toBe(expected);
    expect(await docs.locator('.info .title').textContent()).toContain(name);
    // The validator badge would send the document to validator.swagger.io.
    expect(await docs.locator('.validator, img[src*="validator"]').count()).toBe(0);
    await shot(`docs-${name}`);
  });

  it('when an operation is tried out from /docs, then the service answers it and the page shows the answer', async () => {
    const docs = await open(`${PRODUCTS}/docs#/products/getProductsSku`);
    const block = docs.locator('#operations-products-getProductsSku');
    await block.waitFor({ timeout: 30_000 });
    if (!(await block.locator('.opblock-body').isVisible())) await block.locator('.opblock-summary').click();
    await block.locator('button.try-out__btn').click();
    const [product] = await someProducts(1);
    await block.locator('input[placeholder="sku"]').fill(product!.sku);
    await block.locator('button.execute').click();
    await expect.poll(() => block.locator('.live-responses-table tr.response .response-col_status').first().textContent(), { timeout: 10_000 }).toContain('200');
    expect(await block.locator('.live-responses-table tr.response .response-col_description .microlight').first().textContent()).toContain(product!.sku);
    await shot('docs-try-it-out');
  });
});

describe('GraphiQL at GET /graphql', () => {
  it('when GraphiQL opens, then the example queries are in their tabs', async () => {
    const graphiql = await open(`${GRAPH}/graphql`);
    await graphiql.waitForSelector('.graphiql-container', { timeout: 30_000 });
    const tabs = await graphiql.locator('.graphiql-tab').allTextContents();
    expect(tabs.join(' ')).toContain('OrderById');
    expect(tabs.join(' ')).toContain('CustomerOrders');
    await shot('graphiql-examples');
  });

  it('when an order is placed and GraphiQL runs the order-by-id query for it, then the answer shows the enriched order', async () => {
    const customer = await createCustomer('explorer');
    const [product] = await someProducts(1);
    const placed = await json<{ id: string }>('POST', `${ORDERS}/orders`, { customerId: customer.id, items: [{ sku: product!.sku, quantity: 2, addressId: customer.addressId }] });
    expect(placed.status).toBe(201);
    const id = placed.body.id;
    // Wait for the read model, so what the browser shows is the pipeline's result, not a miss.
    await expect
      .poll(async () => (await json<{ data?: { order: { id: string } | null } }>('POST', `${GRAPH}/graphql`, { query: 'query($id: ID!) { order(id: $id) { id } }', variables: { id } })).body.data?.order?.id, { timeout: 30_000, interval: 200 })
      .toBe(id);

    const query = 'query OrderFromTest($id: ID!) { order(id: $id) { id total customer { email } items { sku quantity } } }';
    const graphiql = await open(`${GRAPH}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id }))}`);
    await graphiql.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    await graphiql.locator('.graphiql-execute-button').click();
    const response = graphiql.locator('.graphiql-response');
    await expect.poll(() => response.textContent(), { timeout: 15_000 }).toContain(id);
    const text = (await response.textContent()) ?? '';
    expect(text).toContain(customer.email);
    expect(text).toContain(product!.sku);
    await shot('graphiql-order');
  });
});
