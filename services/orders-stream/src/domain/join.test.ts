import { describe, expect, it } from 'vitest';
import { addressValue, customerValue, detailValue, ids, orderValue, productValue, RecordFeed } from '../test-support/fixtures.js';
import { OrderJoin, type EnrichedOrder, type InputRecord, type Outcome } from './join.js';

const O1 = ids.order;
const O2 = '5b1d1c2e-0000-4000-8000-0000000000f2';
const O3 = '5b1d1c2e-0000-4000-8000-0000000000f3';

/** A join with the customer, two addresses and two products already loaded. */
function loadedJoin(feed = new RecordFeed()): OrderJoin {
  const join = new OrderJoin();
  for (const r of [
    feed.next('customer', customerValue()),
    feed.next('address', addressValue(ids.address1)),
    feed.next('address', addressValue(ids.address2)),
    feed.next('products', productValue('SKU-1', 19.99)),
    feed.next('products', productValue('SKU-2', '0.10')),
  ]) {
    expect(join.apply(r)).toEqual({ emits: [], dlq: [] });
  }
  return join;
}

function applyAll(join: OrderJoin, records: InputRecord[]): Outcome {
  const out: Outcome = { emits: [], dlq: [] };
  for (const r of records) {
    const o = join.apply(r);
    out.emits.push(...o.emits);
    out.dlq.push(...o.dlq);
  }
  return out;
}

function twoLineOrder(feed: RecordFeed, orderId = O1) {
  return {
    header: feed.next('order', orderValue(orderId, 2)),
    line1: feed.next('order_detail', detailValue(orderId, 1, 'SKU-1', 3, ids.address1)),
    line2: feed.next('order_detail', detailValue(orderId, 2, 'SKU-2', 1, ids.address2)),
  };
}

const emittedIds = (emits: EnrichedOrder[]) => emits.map((e) => e.id);

describe('OrderJoin', () => {
  it('when the header arrives before its details, then the order is emitted with the last detail', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const { header, line1, line2 } = twoLineOrder(feed);
    expect(applyAll(join, [header, line1]).emits).toEqual([]);
    const { emits } = join.apply(line2);
    expect(emittedIds(emits)).toEqual([O1]);
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when the details arrive before the header, then the order is emitted with the header', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const { header, line1, line2 } = twoLineOrder(feed);
    expect(applyAll(join, [line2, line1]).emits).toEqual([]);
    expect(join.stats().pendingOrders).toBe(1);
    expect(emittedIds(join.apply(header).emits)).toEqual([O1]);
  });

  it('when an order is emitted, then it carries the customer, items by line and delivery addresses', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const { header, line1, line2 } = twoLineOrder(feed);
    const [order] = applyAll(join, [line2, header, line1]).emits;
    expect(order).toEqual({
      id: O1,
      customer: { id: ids.customer, name: 'Ana', lastName: 'Pérez', email: 'ana.0001@example.com', identityDocument: 'DNI-1234', active: true },
      items: [
        expect.objectContaining({ lineNo: 1, sku: 'SKU-1', description: 'Product SKU-1', unitPriceCents: 1999, quantity: 3, lineTotalCents: 5997 }),
        expect.objectContaining({ lineNo: 2, sku: 'SKU-2', unitPriceCents: 10, quantity: 1, lineTotalCents: 10 }),
      ],
      totalCents: 6007,
      status: 'placed',
      cancelledAt: null,
      createdAt: '2026-01-15T10:30:00.000Z',
      updatedAt: '2026-01-15T10:30:00.000Z',
    });
    expect(order?.items[0]?.deliveryAddress).toMatchObject({ id: ids.address1, streetType: 'AVENUE', latitude: -12.0464 });
    expect(order?.items[1]?.deliveryAddress.id).toBe(ids.address2);
  });

  it('when prices have float-unfriendly decimals, then totals are exact in cents', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin();
    applyAll(join, [
      feed.next('customer', customerValue()),
      feed.next('address', addressValue(ids.address1)),
      feed.next('products', productValue('A', 0.1)),
      feed.next('products', productValue('B', 0.2)),
      feed.next('products', productValue('C', 1.005)),
    ]);
    const { emits } = applyAll(join, [
      feed.next('order', orderValue(O1, 3)),
      feed.next('order_detail', detailValue(O1, 1, 'A', 1, ids.address1)),
      feed.next('order_detail', detailValue(O1, 2, 'B', 1, ids.address1)),
      feed.next('order_detail', detailValue(O1, 3, 'C', 3, ids.address1)),
    ]);
    // 0.1 + 0.2 is 0.30000000000000004 in floats, and 1.005 * 100 is 100.49999999999999.
    expect(emits[0]?.items.map((i) => i.unitPriceCents)).toEqual([10, 20, 101]);
    expect(emits[0]?.totalCents).toBe(10 + 20 + 303);
  });

  it('when a detail is redelivered before the order completes, then it is not counted twice', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const { header, line1, line2 } = twoLineOrder(feed);
    const again = feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 3, ids.address1));
    expect(applyAll(join, [header, line1, again]).emits).toEqual([]);
    expect(emittedIds(join.apply(line2).emits)).toEqual([O1]);
  });

  it('when an emitted order is redelivered whole, then it is not emitted again', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const first = twoLineOrder(feed);
    expect(emittedIds(applyAll(join, [first.header, first.line1, first.line2]).emits)).toEqual([O1]);
    const again = twoLineOrder(feed);
    expect(applyAll(join, [again.line1, again.header, again.line2]).emits).toEqual([]);
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when more orders than the emitted-set bound went out, then the oldest may be emitted again', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin({ emittedCapacity: 2 });
    applyAll(join, [feed.next('customer', customerValue()), feed.next('address', addressValue(ids.address1)), feed.next('products', productValue('SKU-1', 1))]);
    const oneLine = (id: string) => [feed.next('order', orderValue(id, 1)), feed.next('order_detail', detailValue(id, 1, 'SKU-1', 1, ids.address1))];
    expect(emittedIds(applyAll(join, [...oneLine(O1), ...oneLine(O2), ...oneLine(O3)]).emits)).toEqual([O1, O2, O3]);
    expect(join.stats().recentlyEmitted).toBe(2);
    expect(emittedIds(applyAll(join, oneLine(O1)).emits)).toEqual([O1]);
    expect(applyAll(join, oneLine(O3)).emits).toEqual([]);
  });

  it('when the order arrives before its customer, addresses and products, then the last lookup to arrive emits it', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin();
    const { header, line1, line2 } = twoLineOrder(feed);
    expect(applyAll(join, [header, line1, line2]).emits).toEqual([]);
    expect(applyAll(join, [feed.next('products', productValue('SKU-1', 19.99)), feed.next('products', productValue('SKU-2', 5))]).emits).toEqual([]);
    expect(applyAll(join, [feed.next('customer', customerValue()), feed.next('address', addressValue(ids.address1))]).emits).toEqual([]);
    const { emits } = join.apply(feed.next('address', addressValue(ids.address2)));
    expect(emittedIds(emits)).toEqual([O1]);
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when one lookup completes several waiting orders, then all of them are emitted at once', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin();
    applyAll(join, [feed.next('address', addressValue(ids.address1)), feed.next('products', productValue('SKU-1', 2))]);
    for (const id of [O1, O2]) applyAll(join, [feed.next('order', orderValue(id, 1)), feed.next('order_detail', detailValue(id, 1, 'SKU-1', 1, ids.address1))]);
    expect(emittedIds(join.apply(feed.next('customer', customerValue())).emits).sort()).toEqual([O1, O2]);
  });

  it('when a product is tombstoned after it was seen, then orders that need it are joined with its last values, and a re-created product is used from then on', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    expect(join.apply(feed.next('products', null, { key: 'SKU-2' }))).toEqual({ emits: [], dlq: [] });
    expect(join.stats().products).toBe(1);
    const [order] = applyAll(join, Object.values(twoLineOrder(feed))).emits;
    expect(order?.items[1]).toMatchObject({ sku: 'SKU-2', description: 'Product SKU-2', unitPriceCents: 10 });
    join.apply(feed.next('products', productValue('SKU-2', 7.5)));
    const [later] = applyAll(join, Object.values(twoLineOrder(feed, O2))).emits;
    expect(later?.items[1]?.unitPriceCents).toBe(750);
  });

  it('when a customer is deleted before its order is read (a restart, a slow connector), then the order is joined with the customer as it was', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    // Debezium's rewrite carries the deleted row, then a tombstone follows.
    join.apply(feed.next('customer', customerValue(ids.customer, { __deleted: 'true' })));
    join.apply(feed.next('customer', null, { key: JSON.stringify({ id: ids.customer }) }));
    expect(join.stats().customers).toBe(0);
    const [order] = applyAll(join, Object.values(twoLineOrder(feed))).emits;
    expect(order?.customer).toMatchObject({ id: ids.customer, name: 'Ana', email: 'ana.0001@example.com' });
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when only the delete of a customer was ever read (its log compacted), then the order goes to the DLQ naming it, commits move past it, and a re-read does not start it over', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin();
    applyAll(join, [
      feed.next('customer', null, { key: JSON.stringify({ id: ids.customer }) }),
      feed.next('address', addressValue(ids.address1)),
      feed.next('products', productValue('SKU-1', 2)),
    ]);
    const header = feed.next('order', orderValue(O1, 1));
    const line = feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 1, ids.address1));
    expect(join.apply(header)).toEqual({ emits: [], dlq: [] });
    const { emits, dlq } = join.apply(line);
    expect(emits).toEqual([]);
    expect(dlq).toEqual([{ reason: `order ${O1} cannot be joined: customer ${ids.customer} deleted, and no values of it are left in its topic`, topic: 'order', partition: 0, offset: header.offset, key: header.key, value: header.value }]);
    expect(join.stats().pendingOrders).toBe(0);
    expect(join.offsetsToCommit()).toEqual(expect.arrayContaining([{ kind: 'order', partition: 0, offset: header.offset + 1 }, { kind: 'order_detail', partition: 0, offset: line.offset + 1 }]));
    expect(applyAll(join, [header, line])).toEqual({ emits: [], dlq: [] });
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when an order waits for a customer that is then deleted with no values ever seen, then it goes to the DLQ at the delete', () => {
    const feed = new RecordFeed();
    const join = new OrderJoin();
    applyAll(join, [feed.next('address', addressValue(ids.address1)), feed.next('products', productValue('SKU-1', 2))]);
    applyAll(join, [feed.next('order', orderValue(O1, 1)), feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 1, ids.address1))]);
    expect(join.stats().pendingOrders).toBe(1);
    const { dlq } = join.apply(feed.next('customer', null, { key: JSON.stringify({ id: ids.customer }) }));
    expect(dlq.map((d) => d.reason)).toEqual([`order ${O1} cannot be joined: customer ${ids.customer} deleted, and no values of it are left in its topic`]);
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when customers and addresses are deleted (Debezium rewrite or tombstone), then they leave the lookups', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    join.apply(feed.next('customer', customerValue(ids.customer, { __deleted: 'true' })));
    join.apply(feed.next('address', null, { key: JSON.stringify({ id: ids.address1 }) }));
    expect(join.stats()).toMatchObject({ customers: 0, addresses: 1 });
  });

  it('when a lookup changes before the order completes, then the order carries the newest version', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    join.apply(feed.next('customer', customerValue(ids.customer, { name: 'Ana María', active: false })));
    const { header, line1, line2 } = twoLineOrder(feed);
    const [order] = applyAll(join, [header, line1, line2]).emits;
    expect(order?.customer).toMatchObject({ name: 'Ana María', active: false });
  });

  describe('versions: an order changed after it was placed (cancelled)', () => {
    const T1 = Date.UTC(2026, 0, 15, 11, 0, 0);
    /** The cancel's records: header and both lines rewritten with updated_at T1, as the orders service writes them. */
    function cancelled(feed: RecordFeed, orderId = O1) {
      const v2 = { updated_at: T1 };
      return {
        header: feed.next('order', orderValue(orderId, 2, ids.customer, { status: 'cancelled', cancelled_at: T1, updated_at: T1 })),
        line1: feed.next('order_detail', detailValue(orderId, 1, 'SKU-1', 3, ids.address1, v2)),
        line2: feed.next('order_detail', detailValue(orderId, 2, 'SKU-2', 1, ids.address2, v2)),
      };
    }

    it('when an emitted order is cancelled, then it is emitted again, cancelled, with the same lines and total', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const placed = twoLineOrder(feed);
      const [first] = applyAll(join, [placed.header, placed.line1, placed.line2]).emits;
      const cancel = cancelled(feed);
      const { emits } = applyAll(join, [cancel.header, cancel.line1, cancel.line2]);
      expect(emits).toEqual([{ ...first, status: 'cancelled', cancelledAt: '2026-01-15T11:00:00.000Z', updatedAt: '2026-01-15T11:00:00.000Z' }]);
      expect(join.stats().pendingOrders).toBe(0);
    });

    it('when the lines of the cancel arrive before its header, then it is emitted once, with the header of that version', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const placed = twoLineOrder(feed);
      applyAll(join, [placed.header, placed.line1, placed.line2]);
      const cancel = cancelled(feed);
      expect(applyAll(join, [cancel.line1, cancel.line2]).emits).toEqual([]);
      expect(join.apply(cancel.header).emits.map((e) => e.status)).toEqual(['cancelled']);
    });

    it('when the processor restarted and remembers nothing of the first version, then the cancel alone is a whole order and is emitted', () => {
      const feed = new RecordFeed();
      twoLineOrder(feed); // offsets of the placed version, committed before the restart
      const join = loadedJoin(feed);
      const cancel = cancelled(feed);
      const { emits } = applyAll(join, [cancel.line2, cancel.header, cancel.line1]);
      expect(emits.map((e) => [e.id, e.status, e.totalCents])).toEqual([[O1, 'cancelled', 6007]]);
    });

    it('when both versions arrive before the order can complete, then only the newest is emitted', () => {
      const feed = new RecordFeed();
      const join = new OrderJoin();
      const placed = twoLineOrder(feed);
      const cancel = cancelled(feed);
      // Interleaved as two topics may be fetched: headers first, then the lines of both versions.
      expect(applyAll(join, [placed.header, cancel.header, placed.line1, placed.line2, cancel.line1, cancel.line2]).emits).toEqual([]);
      const { emits } = applyAll(join, [
        feed.next('customer', customerValue()),
        feed.next('address', addressValue(ids.address1)),
        feed.next('address', addressValue(ids.address2)),
        feed.next('products', productValue('SKU-1', 19.99)),
        feed.next('products', productValue('SKU-2', '0.10')),
      ]);
      expect(emits.map((e) => [e.id, e.status])).toEqual([[O1, 'cancelled']]);
    });

    it('when a re-read sees the placed header, the cancelled header, then the lines of both, then only the cancelled order is emitted', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const placed = twoLineOrder(feed);
      const cancel = cancelled(feed);
      const { emits } = applyAll(join, [placed.header, cancel.header, placed.line1, placed.line2, cancel.line1, cancel.line2]);
      expect(emits.map((e) => e.status)).toEqual(['cancelled']);
    });

    it('when the placed version is redelivered after the cancel went out, then nothing is emitted', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const placed = twoLineOrder(feed);
      const cancel = cancelled(feed);
      applyAll(join, [placed.header, placed.line1, placed.line2, cancel.header, cancel.line1, cancel.line2]);
      const again = twoLineOrder(feed);
      expect(applyAll(join, [again.header, again.line1, again.line2]).emits).toEqual([]);
      expect(join.stats().pendingOrders).toBe(0);
    });

    it('when only the header of the cancel has arrived, then the order waits and the commit stops at that header', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const placed = twoLineOrder(feed); // order/0, order_detail/0-1
      applyAll(join, [placed.header, placed.line1, placed.line2]);
      join.markCommitted(join.offsetsToCommit());
      const header = feed.next('order', orderValue(O1, 2, ids.customer, { status: 'cancelled', cancelled_at: T1, updated_at: T1 })); // order/1
      expect(join.apply(header).emits).toEqual([]);
      expect(join.pendingOrderIds()).toEqual([O1]);
      // Committed is order/0 → 1: it does not move past the pending header.
      expect(join.offsetsToCommit()).toEqual([]);
      const v2 = { updated_at: T1 };
      applyAll(join, [feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 3, ids.address1, v2)), feed.next('order_detail', detailValue(O1, 2, 'SKU-2', 1, ids.address2, v2))]);
      expect(join.pendingOrderIds()).toEqual([]);
      expect(Object.fromEntries(join.offsetsToCommit().map((c) => [`${c.kind}/${c.partition}`, c.offset]))).toEqual({ 'order/0': 2, 'order_detail/0': 4 });
    });
  });

  describe('malformed records', () => {
    const cases: Array<[string, Parameters<RecordFeed['next']>[0], string | Record<string, unknown>, RegExp]> = [
      ['invalid JSON', 'order', '{"id": ', /invalid JSON/],
      ['a JSON array', 'order_detail', '[1,2]', /not a JSON object/],
      ['line_count 0', 'order', orderValue(O1, 0), /line_count must be at least 1/],
      ['line_count missing', 'order', { id: O1, customer_id: ids.customer, created_at: 1 }, /missing line_count/],
      ['line_count text', 'order', orderValue(O1, 'two' as unknown as number), /line_count must be an integer/],
      ['a bad created_at', 'order', orderValue(O1, 1, ids.customer, { created_at: 'yesterday' }), /created_at is not a timestamp/],
      ['a negative quantity', 'order_detail', detailValue(O1, 1, 'SKU-1', -2, ids.address1), /quantity must be positive/],
      ['no sku', 'order_detail', detailValue(O1, 1, 'SKU-1', 1, ids.address1, { sku: null }), /missing sku/],
      ['a customer without email', 'customer', customerValue(ids.customer, { email: undefined }), /missing email/],
      ['a product with a negative price', 'products', productValue('SKU-9', -1), /price must be a non-negative number/],
      ['an address with text latitude', 'address', addressValue(ids.address1, ids.customer, { latitude: 'north' }), /latitude must be a number/],
    ];
    it.each(cases)('when a record has %s, then it goes to the DLQ with a reason', (_what, kind, value, reason) => {
      const feed = new RecordFeed(2);
      const join = loadedJoin();
      const record = feed.next(kind, value, { key: 'k' });
      const { emits, dlq } = join.apply(record);
      expect(emits).toEqual([]);
      expect(dlq).toEqual([{ reason: expect.stringMatching(reason), topic: kind, partition: 2, offset: 0, key: 'k', value: record.value }]);
    });

    it('when a malformed record sits between parts of an order, then the order still completes', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const header = feed.next('order', orderValue(O1, 1));
      const bad = feed.next('order_detail', 'not json');
      const line = feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 1, ids.address1));
      const out = applyAll(join, [header, bad, line]);
      expect(emittedIds(out.emits)).toEqual([O1]);
      expect(out.dlq.map((d) => d.offset)).toEqual([0]);
    });
  });

  it('when order records are tombstones or deletes, then they are ignored without a DLQ entry', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    expect(join.apply(feed.next('order', null, { key: JSON.stringify({ order_id: O1 }) }))).toEqual({ emits: [], dlq: [] });
    expect(join.apply(feed.next('order_detail', { ...detailValue(O1, 1, 'SKU-1', 1, ids.address1), __deleted: 'true' }))).toEqual({ emits: [], dlq: [] });
    expect(join.stats().pendingOrders).toBe(0);
  });

  it('when the order id is only in the key, then the key supplies it', () => {
    const feed = new RecordFeed();
    const join = loadedJoin(feed);
    const { id: _id, ...headerWithoutId } = orderValue(O1, 1);
    const { order_id: _oid, ...detailWithoutOrderId } = detailValue(O1, 1, 'SKU-1', 1, ids.address1);
    const out = applyAll(join, [
      feed.next('order', headerWithoutId, { key: JSON.stringify({ order_id: O1 }) }),
      feed.next('order_detail', detailWithoutOrderId, { key: JSON.stringify({ order_id: O1 }) }),
    ]);
    expect(emittedIds(out.emits)).toEqual([O1]);
  });

  describe('offsets to commit', () => {
    const commits = (join: OrderJoin) =>
      Object.fromEntries(join.offsetsToCommit().map((c) => [`${c.kind}/${c.partition}`, c.offset]));

    it('when nothing is pending, then the commit moves past everything consumed', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const { header, line1, line2 } = twoLineOrder(feed);
      applyAll(join, [header, line1, line2]);
      expect(commits(join)).toEqual({ 'order/0': 1, 'order_detail/0': 2 });
    });

    it('when an order is pending, then the commit stops at its first record in each topic', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      applyAll(join, [feed.next('order', orderValue(O2, 1)), feed.next('order_detail', detailValue(O2, 1, 'SKU-1', 1, ids.address1))]);
      const { header, line1 } = twoLineOrder(feed); // O1 at order/1, order_detail/1: pending
      applyAll(join, [header, line1]);
      expect(commits(join)).toEqual({ 'order/0': 1, 'order_detail/0': 1 });
    });

    it('when an emitted order straddles a pending one, then the commit stops before the emitted order', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const o2Header = feed.next('order', orderValue(O2, 2)); // order/0, stays pending
      const o1Header = feed.next('order', orderValue(O1, 1)); // order/1
      const o1Line = feed.next('order_detail', detailValue(O1, 1, 'SKU-1', 1, ids.address1)); // order_detail/0
      expect(emittedIds(applyAll(join, [o2Header, o1Header, o1Line]).emits)).toEqual([O1]);
      // order/0 must stay uncommitted for O2; committing order_detail/1 would then re-read O1's
      // header without its detail after a restart, so O1 is kept whole on the re-read side.
      expect(commits(join)).toEqual({ 'order/0': 0, 'order_detail/0': 0 });
    });

    it('when offsets were marked committed, then only changes are offered again', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const { header, line1, line2 } = twoLineOrder(feed);
      applyAll(join, [header, line1, line2]);
      join.markCommitted(join.offsetsToCommit());
      expect(join.offsetsToCommit()).toEqual([]);
      join.advance('order', 0, 5);
      expect(join.offsetsToCommit()).toEqual([{ kind: 'order', partition: 0, offset: 5 }]);
    });

    it('when a record of an emitted order is redelivered behind a pending order, then the commit goes back to keep it whole', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const first = twoLineOrder(feed); // order/0, order_detail/0-1
      applyAll(join, [first.header, first.line1, first.line2]);
      join.markCommitted(join.offsetsToCommit());
      expect(join.offsetsToCommit()).toEqual([]);
      const pendingLine = feed.next('order_detail', detailValue(O2, 1, 'SKU-1', 1, ids.address1)); // order_detail/2, pending
      const dup = feed.next('order_detail', detailValue(O1, 2, 'SKU-2', 1, ids.address2)); // order_detail/3
      expect(applyAll(join, [pendingLine, dup]).emits).toEqual([]);
      expect(commits(join)).toEqual({ 'order/0': 0, 'order_detail/0': 0 });
    });

    it('when partitions are dropped, then their pending orders and offsets are forgotten', () => {
      const join = loadedJoin();
      const p0 = new RecordFeed(0);
      const p1 = new RecordFeed(1);
      applyAll(join, [p0.next('order', orderValue(O1, 2)), p1.next('order', orderValue(O2, 2))]);
      join.dropPartitions([1]);
      expect(join.pendingOrderIds()).toEqual([O1]);
      expect(commits(join)).toEqual({ 'order/0': 0 });
    });

    it('when the order state is reset, then lookups survive and orders start over', () => {
      const feed = new RecordFeed();
      const join = loadedJoin(feed);
      const { header, line1, line2 } = twoLineOrder(feed);
      applyAll(join, [header, line1, line2]);
      join.resetOrders();
      expect(join.stats()).toMatchObject({ pendingOrders: 0, recentlyEmitted: 0, customers: 1, addresses: 2, products: 2 });
      expect(emittedIds(applyAll(join, [header, line1, line2]).emits)).toEqual([O1]);
    });
  });
});
