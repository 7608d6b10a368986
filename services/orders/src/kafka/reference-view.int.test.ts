/**
 * The reference view against the real Kafka: topics of its own shaped like Debezium's
 * `customer` and `address` rows and the `products` topic, so nothing touches the demo's.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@oms/service-kit';
import { eventually, topicTestBed, type TopicTestBed } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { ReferenceView } from './reference-view.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const logger = createLogger('orders-reference-view-test', 'silent');
const beds: Record<'customer' | 'address' | 'product', TopicTestBed | undefined> = { customer: undefined, address: undefined, product: undefined };
let view: ReferenceView | undefined;

const key = (id: string) => JSON.stringify({ id });
const customer = (id: string, deleted = false) => ({ key: key(id), value: JSON.stringify({ id, email: `${id}@example.com`, __deleted: String(deleted) }) });
const address = (id: string, customerId: string) => ({ key: key(id), value: JSON.stringify({ id, customer_id: customerId, __deleted: 'false' }) });
const product = (sku: string) => ({ key: sku, value: JSON.stringify({ sku, description: sku, price: 1 }) });

beforeAll(async () => {
  for (const kind of ['customer', 'address', 'product'] as const) {
    beds[kind] = await topicTestBed({ brokers: infra.kafkaBrokers, topic: `orders-references-${kind}-${run}`, group: `unused-${run}` });
  }
});

afterAll(async () => {
  await view?.stop();
  for (const bed of Object.values(beds)) await bed?.close();
});

describe('ReferenceView', () => {
  it('when the topics already hold rows, deletes and tombstones, then once loaded the view holds exactly what still exists', async () => {
    const [gone, kept] = [randomUUID(), randomUUID()];
    const home = randomUUID();
    await beds.customer!.send(customer(gone), customer(kept), customer(gone, true), { key: key(gone), value: null });
    await beds.address!.send(address(home, kept));
    await beds.product!.send(product('SKU-A'), product('SKU-B'), { key: 'SKU-B', value: null });

    view = new ReferenceView({
      brokers: infra.kafkaBrokers,
      topics: { customer: beds.customer!.topic, address: beds.address!.topic, product: beds.product!.topic },
      logger,
      maxWaitTimeInMs: 100,
    });
    await view.start();
    const tables = await eventually(
      () => view!.tables(),
      (t) => t !== undefined,
      { what: 'the reference view loaded' },
    );
    expect(tables!.addressesOf(gone)).toBeUndefined();
    expect([...(tables!.addressesOf(kept) ?? [])]).toEqual([home]);
    expect(tables!.hasSku('SKU-A')).toBe(true);
    expect(tables!.hasSku('SKU-B')).toBe(false);
    expect(view.health()).toMatchObject({ status: 'loaded', sizes: { customers: 1, addresses: 1, skus: 1, skipped: 0 }, lastError: null });
  });

  it('when a customer is created after the view loaded, then it appears in the view within the topic lag', async () => {
    const late = randomUUID();
    await beds.customer!.send(customer(late));
    await eventually(
      () => view!.tables()?.addressesOf(late),
      (addresses) => addresses !== undefined,
      { what: 'the late customer in the view' },
    );
  });

  it('when a topic does not exist, then a start attempt fails naming it and leaves nothing running', async () => {
    const orphan = new ReferenceView({ brokers: infra.kafkaBrokers, topics: { customer: `no-such-topic-${run}`, address: beds.address!.topic, product: beds.product!.topic }, logger });
    await expect(orphan.start()).rejects.toThrow(`no-such-topic-${run}`);
    expect(orphan.tables()).toBeUndefined();
    expect(orphan.health().status).toBe('starting');
  });
});
