/**
 * The stack side of the load module: fresh customers to order as, stock for the run, a place
 * callback over POST /orders and a watcher that finds the orders in GraphQL.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ExternalError } from '../../errors.js';
import { answerText, parseAnswer, type HttpClient } from '../http.js';
import { customerSchema, placedOrderSchema, productPageSchema, type ServiceClients } from '../services.js';
import type { PlaceOrder, VisibilityWatcher } from './load.js';

/** Who orders what: made once per run by {@link prepareOrders}. */
export interface LoadFixture {
  /** Tag of the run: its customers' emails are `load-<tag>-<n>@oms.example`. */
  tag: string;
  customers: Array<{ id: string; addressId: string }>;
  skus: string[];
}

export interface PrepareOptions {
  /** Distinct customers to order as (round robin). */
  customers: number;
  /** Orders the run may place: each SKU's stock is raised so that many never run it out (up to 3 units an order). */
  orders: number;
}

const stockSchema = z.object({ onHand: z.number().int() });

/** Creates the run's customers and restocks the catalogue's first 20 SKUs for it. */
export async function prepareOrders(clients: ServiceClients, opts: PrepareOptions): Promise<LoadFixture> {
  const catalogue = await clients.products.json('GET', '/products?limit=20', productPageSchema);
  if (catalogue.items.length === 0) throw new ExternalError('the catalogue is empty: nothing to order', { hint: '`oms seed` loads the demo products (`oms up` does it)' });
  const skus = catalogue.items.map((p) => p.sku);
  const tag = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const customers: LoadFixture['customers'] = [];
  for (let n = 0; n < opts.customers; n++) {
    const c = await clients.customers.json('POST', '/customers', customerSchema, {
      name: 'Load',
      lastName: `${tag}-${n}`,
      email: `load-${tag}-${n}@oms.example`,
      identityDocument: `L-${tag}-${n}`,
      active: true,
      addresses: [{ streetType: 'STREET', streetName: 'Load st', streetNumber: String(n + 1), buildingNumber: '1', departmentNumber: '1', reference: 'oms load', latitude: 1, longitude: 1 }],
    });
    customers.push({ id: c.id, addressId: c.addresses[0]!.id });
  }
  await restock(clients.inventory, skus, Math.ceil((opts.orders * 3) / skus.length) + 10);
  return { tag, customers, skus };
}

/** Raises each SKU's count on hand by `units` (a restock sets the count, so it is read first). */
export async function restock(inventory: HttpClient, skus: readonly string[], units: number): Promise<void> {
  for (const sku of skus) {
    const stockPath = `/inventory/${encodeURIComponent(sku)}`;
    const { onHand } = await inventory.json('GET', stockPath, stockSchema);
    await inventory.json('PUT', stockPath, stockSchema, { onHand: onHand + units });
  }
}

/** POST /orders for order `seq`: customer and SKU round robin, 1–3 units of one line. */
export function placeStackOrder(orders: HttpClient, fx: LoadFixture): PlaceOrder {
  return async (seq) => {
    const customer = fx.customers[seq % fx.customers.length]!;
    const sku = fx.skus[seq % fx.skus.length]!;
    try {
      const res = await orders.send('POST', '/orders', { body: { customerId: customer.id, items: [{ sku, quantity: 1 + (seq % 3), addressId: customer.addressId }] } });
      if (res.status !== 201) return { status: res.status, error: answerText(res.body) };
      const placed = parseAnswer(placedOrderSchema, res.body, 'POST /orders');
      return { status: res.status, id: placed.id, ...(placed.createdAt ? { createdAt: placed.createdAt } : {}) };
    } catch (err) {
      return { status: null, error: err instanceof Error ? err.message : String(err) };
    }
  };
}

const ordersPage = z.object({ data: z.object({ orders: z.object({ items: z.array(z.object({ id: z.string() })) }) }).nullable().optional() });
const PAGE = 100;

/**
 * Finds watched orders in GraphQL with one cheap query per round: orders created since the
 * oldest one pending (paged), so the watcher's own load stays flat whatever the rate.
 */
export class GraphWatcher implements VisibilityWatcher {
  private readonly waiting = new Map<string, { createdAt: string; seen: (atMs: number) => void }>();
  private running = true;
  private readonly loop: Promise<void>;
  /** GraphQL requests sent so far: the watcher's own load on orders-graph and PostgreSQL. */
  requests = 0;

  constructor(
    private readonly graph: HttpClient,
    /** Pause between rounds (ms): the resolution of the latencies it measures. */
    private readonly pollMs = 3,
  ) {
    this.loop = this.run();
  }

  watch(id: string, createdAt: string | undefined, seen: (atMs: number) => void): void {
    // A minute of slack: the service's clock and ours need not agree to the millisecond.
    this.waiting.set(id, { createdAt: createdAt ?? new Date(Date.now() - 60_000).toISOString(), seen });
  }

  get pending(): number {
    return this.waiting.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.waiting.size === 0) {
        await sleep(2);
        continue;
      }
      let from = '9999';
      for (const w of this.waiting.values()) if (w.createdAt < from) from = w.createdAt;
      for (let offset = 0; ; offset += PAGE) {
        let page: z.infer<typeof ordersPage>['data'];
        try {
          this.requests++;
          const res = await this.graph.send('POST', '/graphql', {
            // No `total`: orders-graph then runs one statement, not two; a short page is the last.
            body: { query: 'query($f: String, $o: Int) { orders(fromDate: $f, limit: 100, offset: $o) { items { id } } }', variables: { f: from, o: offset } },
          });
          page = ordersPage.safeParse(res.body).data?.data;
        } catch {
          await sleep(200); // GraphQL unreachable for a moment: the orders stay pending
          break;
        }
        const now = performance.now();
        for (const { id } of page?.orders.items ?? []) {
          const w = this.waiting.get(id);
          if (w) {
            this.waiting.delete(id);
            w.seen(now);
          }
        }
        if (!page || page.orders.items.length < PAGE || this.waiting.size === 0) break;
      }
      await sleep(this.pollMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
