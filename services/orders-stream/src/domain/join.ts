import {
  parseAddress,
  parseCustomer,
  parseOrderDetail,
  parseOrderHeader,
  parseProduct,
  type Address,
  type Customer,
  type LookupChange,
  type OrderDetail,
  type OrderHeader,
  type Product,
  type Raw,
} from './normalize.js';

/** Order-side inputs: consumed by the group, their offsets committed by this join's rules. */
export type OrderKind = 'order' | 'order_detail';
/** Lookup inputs: read whole by every instance. */
export type LookupKind = 'customer' | 'address' | 'products';
export type SourceKind = OrderKind | LookupKind;

/** One Kafka record, reduced to what the join needs. No Kafka types: tests build these by hand. */
export interface InputRecord {
  kind: SourceKind;
  /** The real topic name, reported in the DLQ. */
  topic: string;
  partition: number;
  offset: number;
  key: Raw;
  value: Raw;
}

export interface EnrichedItem {
  lineNo: number | null;
  sku: string;
  description: string;
  unitPriceCents: number;
  quantity: number;
  lineTotalCents: number;
  deliveryAddress: Address;
}

/** A complete order, ready to be written to the read model. */
export interface EnrichedOrder {
  id: string;
  customer: Customer;
  items: EnrichedItem[];
  totalCents: number;
  /** `placed` or `cancelled`, as the order row says. */
  status: string;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A record the join could not make sense of; the wiring writes it to the DLQ unchanged. */
export interface DlqEntry {
  reason: string;
  topic: string;
  partition: number;
  offset: number;
  key: Raw;
  value: Raw;
}

export interface Outcome {
  emits: EnrichedOrder[];
  dlq: DlqEntry[];
}

/** An offset to commit: the next offset to read in that topic-partition. */
export interface CommitOffset {
  kind: OrderKind;
  partition: number;
  offset: number;
}

export interface JoinStats {
  pendingOrders: number;
  recentlyEmitted: number;
  customers: number;
  addresses: number;
  products: number;
}

export interface OrderJoinOptions {
  /**
   * How many emitted order ids to remember (FIFO). The memory exists to swallow records of an
   * order that already went out — Debezium redelivers whole transactions after a connector
   * restart, and a rebalance re-reads from the committed offset — so that they do not start a
   * new partial order that would never complete and would pin the committed offset. Such
   * redeliveries reach back seconds to minutes, far fewer orders than the default 100 000
   * (about 15 MB). Past the bound, a re-emitted order is still harmless: the sink upserts by id.
   */
  emittedCapacity?: number;
}

/** First and last offset an order was seen at, per `kind/partition`. */
type Ranges = Map<string, { first: number; last: number }>;

/** An emitted order: where its records lie, and the version (`updatedAt`) that went out. */
interface Emitted {
  ranges: Ranges;
  version: string;
}

interface PendingOrder {
  id: string;
  header?: OrderHeader;
  /** The header's record, as read: what the DLQ gets if the order can never be joined. */
  headerRecord?: InputRecord;
  details: Map<string, OrderDetail>;
  ranges: Ranges;
  /** Lookup keys this order waits for (`c:`, `a:`, `p:` + id); empty unless all parts are in. */
  waitingOn: string[];
}

/** What a lookup key's prefix names, in DLQ reasons. */
const LOOKUP_NAMES: Record<string, string> = { 'c:': 'customer', 'a:': 'address', 'p:': 'product' };

const tp = (kind: OrderKind, partition: number) => `${kind}/${partition}`;
const parseTp = (key: string): { kind: OrderKind; partition: number } => {
  const [kind, partition] = key.split('/') as [OrderKind, string];
  return { kind, partition: Number(partition) };
};

/**
 * The order join as a state machine with no I/O: feed it records in offset order per partition,
 * and it answers with the orders that became complete and the records that belong in the DLQ.
 *
 * Versions. Every change of an order (placing, cancelling) writes the header and all its lines
 * again in one transaction, with one `updated_at`: the order's version. A version is complete
 * when its header and `line_count` lines of that version are in; only the newest version seen is
 * emitted. So an update of an order that already went out (a cancel) is emitted again with the
 * new status — even after a restart, when nothing of the first version is remembered — while a
 * redelivery (same or older version) is swallowed.
 *
 * Offsets. It also decides what may be committed: never past the first record of an order
 * still pending (so a restart re-reads every part of it), and never between the records of an
 * order already emitted (so a restart re-reads such an order whole — and re-emits it, which the
 * sink's upsert by id absorbs — instead of a fragment of it that could never complete).
 */
export class OrderJoin {
  private readonly customers = new Map<string, Customer>();
  private readonly addresses = new Map<string, Address>();
  private readonly products = new Map<string, Product>();
  /**
   * Last values of deleted lookups (`c:`, `a:`, `p:` + id). An order placed before its customer,
   * address or product was deleted is still joined — with what they were — instead of waiting
   * for them forever and pinning its partition's committed offset.
   */
  private readonly retired = new Map<string, Customer | Address | Product>();
  /** Lookup keys deleted with no values ever seen (the log was compacted): an order needing one can never be joined. */
  private readonly gone = new Set<string>();
  private readonly pending = new Map<string, PendingOrder>();
  /** Lookup key → ids of complete-but-for-lookups orders waiting for it. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Recently emitted order ids (insertion order = FIFO eviction) with their offset ranges and version. */
  private readonly emitted = new Map<string, Emitted>();
  /** Emitted ids whose records may still lie at or past the committed offset. */
  private readonly emittedAboveCommit = new Set<string>();
  /** Next offset to read, per `kind/partition`, as far as this join has seen. */
  private readonly consumed = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  private readonly emittedCapacity: number;

  constructor(options: OrderJoinOptions = {}) {
    this.emittedCapacity = options.emittedCapacity ?? 100_000;
  }

  /** Applies one record; returns what became complete and what is unreadable. */
  apply(record: InputRecord): Outcome {
    switch (record.kind) {
      case 'customer':
        return this.applyLookup(record, parseCustomer(record.key, record.value), this.customers, 'c:', (c) => c.id);
      case 'address':
        return this.applyLookup(record, parseAddress(record.key, record.value), this.addresses, 'a:', (a) => a.id);
      case 'products':
        return this.applyLookup(record, parseProduct(record.key, record.value), this.products, 'p:', (p) => p.sku);
      case 'order':
      case 'order_detail':
        return this.applyOrderPart(record);
    }
  }

  /**
   * Records that the consumer moved past `nextOffset - 1` in an order partition without a record
   * to apply (control records, or a batch whose tail was filtered), so commits can move too.
   */
  advance(kind: OrderKind, partition: number, nextOffset: number): void {
    const key = tp(kind, partition);
    this.consumed.set(key, Math.max(this.consumed.get(key) ?? 0, nextOffset));
  }

  /**
   * Offsets safe to commit now that differ from what was last marked committed. Safe means: every
   * record below the offset belongs to an order that was emitted whole, to a record that was
   * ignored or sent to the DLQ — and no emitted order has records on both sides of the line.
   */
  offsetsToCommit(): CommitOffset[] {
    const safe = new Map(this.consumed);
    const lower = (key: string, offset: number) => {
      const current = safe.get(key);
      if (current !== undefined && offset < current) {
        safe.set(key, offset);
        return true;
      }
      return false;
    };
    for (const order of this.pending.values()) for (const [key, r] of order.ranges) lower(key, r.first);
    // Pull the line below any emitted order it would cut through; repeat, since each move can
    // cut through another emitted order. Terminates: offsets only go down.
    for (let changed = true; changed; ) {
      changed = false;
      for (const id of this.emittedAboveCommit) {
        const ranges = this.emitted.get(id)?.ranges;
        if (!ranges) continue;
        let above = false;
        let below = false;
        for (const [key, r] of ranges) {
          const line = safe.get(key);
          if (line === undefined) continue;
          if (r.last >= line) above = true;
          if (r.first < line) below = true;
        }
        if (above && below) for (const [key, r] of ranges) changed = lower(key, r.first) || changed;
      }
    }
    const out: CommitOffset[] = [];
    for (const [key, offset] of safe) {
      if (this.committed.get(key) === offset) continue;
      out.push({ ...parseTp(key), offset });
    }
    return out;
  }

  /** Call once the offsets from {@link offsetsToCommit} are durably committed. */
  markCommitted(offsets: CommitOffset[]): void {
    for (const o of offsets) this.committed.set(tp(o.kind, o.partition), o.offset);
    for (const id of this.emittedAboveCommit) {
      const ranges = this.emitted.get(id)?.ranges;
      const stillAbove =
        ranges !== undefined &&
        [...ranges].some(([key, r]) => {
          const line = this.committed.get(key);
          return line === undefined || r.last >= line;
        });
      if (!stillAbove) this.emittedAboveCommit.delete(id);
    }
  }

  /**
   * Forgets the order state of partitions this instance no longer owns (after a rebalance);
   * their new owner rebuilds it by re-reading from the committed offset.
   */
  dropPartitions(partitions: Iterable<number>): void {
    const gone = new Set(partitions);
    const touches = (ranges: Ranges) => [...ranges.keys()].some((k) => gone.has(parseTp(k).partition));
    for (const order of [...this.pending.values()]) if (touches(order.ranges)) this.forget(order);
    for (const id of [...this.emittedAboveCommit]) {
      const ranges = this.emitted.get(id)?.ranges;
      if (ranges && touches(ranges)) this.emittedAboveCommit.delete(id);
    }
    for (const map of [this.consumed, this.committed]) {
      for (const key of [...map.keys()]) if (gone.has(parseTp(key).partition)) map.delete(key);
    }
  }

  /**
   * Forgets all order-side state, keeping the lookups: for when the outcome of processing is in
   * doubt (a failed transaction) and every owned partition is re-read from its committed offset.
   */
  resetOrders(): void {
    this.pending.clear();
    this.waiting.clear();
    this.emitted.clear();
    this.emittedAboveCommit.clear();
    this.consumed.clear();
    this.committed.clear();
  }

  stats(): JoinStats {
    return {
      pendingOrders: this.pending.size,
      recentlyEmitted: this.emitted.size,
      customers: this.customers.size,
      addresses: this.addresses.size,
      products: this.products.size,
    };
  }

  /** Ids of orders still waiting, oldest first (for diagnostics). */
  pendingOrderIds(): string[] {
    return [...this.pending.keys()];
  }

  private applyLookup<T extends Customer | Address | Product>(
    record: InputRecord,
    change: LookupChange<T>,
    table: Map<string, T>,
    prefix: string,
    idOf: (row: T) => string,
  ): Outcome {
    if (change.kind === 'invalid') return { emits: [], dlq: [this.dlqEntry(record, change.reason)] };
    const id = change.kind === 'delete' ? change.id : idOf(change.row);
    const key = prefix + id;
    if (change.kind === 'delete') {
      // Orders already emitted keep what they were emitted with; orders not yet joined get the
      // last values (the delete's own, else the row it removes), or none can ever come.
      const last = change.row ?? table.get(id) ?? (this.retired.get(key) as T | undefined);
      table.delete(id);
      if (last) this.retired.set(key, last);
      else this.gone.add(key);
    } else {
      table.set(id, change.row);
      this.retired.delete(key);
      this.gone.delete(key);
    }
    const waiters = this.waiting.get(key);
    if (!waiters) return { emits: [], dlq: [] };
    const out: Outcome = { emits: [], dlq: [] };
    for (const orderId of [...waiters]) {
      const order = this.pending.get(orderId);
      if (order) this.settle(order, out);
    }
    return out;
  }

  private applyOrderPart(record: InputRecord): Outcome {
    const kind = record.kind as OrderKind;
    this.advance(kind, record.partition, record.offset + 1);
    const part = kind === 'order' ? parseOrderHeader(record.key, record.value) : parseOrderDetail(record.key, record.value);
    if (part.kind === 'invalid') return { emits: [], dlq: [this.dlqEntry(record, part.reason)] };
    if (part.kind === 'ignore') return { emits: [], dlq: [] };
    const orderId = 'orderId' in part.row ? part.row.orderId : part.row.id;
    const version = part.row.updatedAt;

    const emitted = this.emitted.get(orderId);
    if (emitted && !newer(version, emitted.version)) {
      // A redelivery of an order that already went out: remember where it lies, so commits
      // never split it, but do not start the order over.
      extend(emitted.ranges, kind, record.partition, record.offset);
      this.emittedAboveCommit.add(orderId);
      return { emits: [], dlq: [] };
    }
    if (emitted) {
      // A new version of an emitted order (it was cancelled): it is gathered again from its
      // own header and lines. Records of the version that went out are no longer protected
      // from a commit between them: a restart that re-reads some of them re-reads the new
      // version after them too, and only the newest version is emitted.
      this.emitted.delete(orderId);
      this.emittedAboveCommit.delete(orderId);
    }

    let order = this.pending.get(orderId);
    if (!order) {
      order = { id: orderId, details: new Map(), ranges: new Map(), waitingOn: [] };
      this.pending.set(orderId, order);
    }
    extend(order.ranges, kind, record.partition, record.offset);
    if ('orderId' in part.row) {
      const held = order.details.get(part.row.lineKey);
      if (!held || !newer(held.updatedAt, part.row.updatedAt)) order.details.set(part.row.lineKey, part.row);
    } else if (!order.header || !newer(order.header.updatedAt, part.row.updatedAt)) {
      order.header = part.row;
      order.headerRecord = record;
    }
    const out: Outcome = { emits: [], dlq: [] };
    this.settle(order, out);
    return out;
  }

  /**
   * Evaluates the order into `out`: emitted if complete; sent to the DLQ (and remembered like an
   * emitted order, so commits move past it and a re-read does not start it over) if it needs a
   * lookup that was deleted with no values left; otherwise it keeps waiting.
   */
  private settle(order: PendingOrder, out: Outcome): void {
    const done = this.evaluate(order);
    if (done) {
      out.emits.push(done);
      return;
    }
    const lost = order.waitingOn.filter((key) => this.gone.has(key));
    if (lost.length === 0 || !order.header || !order.headerRecord) return;
    const what = lost.map((key) => `${LOOKUP_NAMES[key.slice(0, 2)] ?? 'lookup'} ${key.slice(2)}`).join(', ');
    out.dlq.push(this.dlqEntry(order.headerRecord, `order ${order.id} cannot be joined: ${what} deleted, and no values of it are left in its topic`));
    this.forget(order);
    this.remember(order.id, { ranges: order.ranges, version: order.header.updatedAt });
  }

  /** Emits the order if everything of its newest version is in; otherwise (re)registers what it waits for. */
  private evaluate(order: PendingOrder): EnrichedOrder | undefined {
    this.unwait(order);
    const { header } = order;
    if (!header) return undefined;
    // Lines written before lines carried a version belong to the order's first version.
    const details = [...order.details.values()].filter((d) => (d.updatedAt ?? header.createdAt) === header.updatedAt).sort(byLine);
    if (details.length < header.lineCount) return undefined;

    const missing = new Set<string>();
    const customer = this.lookup(this.customers, 'c:', header.customerId);
    if (!customer) missing.add(`c:${header.customerId}`);
    for (const d of details) {
      if (!this.lookup(this.addresses, 'a:', d.addressId)) missing.add(`a:${d.addressId}`);
      if (!this.lookup(this.products, 'p:', d.sku)) missing.add(`p:${d.sku}`);
    }
    if (missing.size > 0 || !customer) {
      order.waitingOn = [...missing];
      for (const key of missing) {
        let set = this.waiting.get(key);
        if (!set) this.waiting.set(key, (set = new Set()));
        set.add(order.id);
      }
      return undefined;
    }

    const items = details.map((d): EnrichedItem => {
      const product = this.lookup(this.products, 'p:', d.sku)!;
      return {
        lineNo: d.lineNo,
        sku: d.sku,
        description: product.description,
        unitPriceCents: product.priceCents,
        quantity: d.quantity,
        lineTotalCents: product.priceCents * d.quantity,
        deliveryAddress: this.lookup(this.addresses, 'a:', d.addressId)!,
      };
    });
    const enriched: EnrichedOrder = {
      id: order.id,
      customer,
      items,
      totalCents: items.reduce((sum, i) => sum + i.lineTotalCents, 0),
      status: header.status,
      cancelledAt: header.cancelledAt,
      createdAt: header.createdAt,
      updatedAt: header.updatedAt,
    };
    this.pending.delete(order.id);
    this.remember(order.id, { ranges: order.ranges, version: header.updatedAt });
    return enriched;
  }

  /** The current row, else the last values of a deleted one. */
  private lookup<T extends Customer | Address | Product>(table: Map<string, T>, prefix: string, id: string): T | undefined {
    return table.get(id) ?? (this.retired.get(prefix + id) as T | undefined);
  }

  private remember(id: string, emitted: Emitted): void {
    this.emitted.set(id, emitted);
    this.emittedAboveCommit.add(id);
    while (this.emitted.size > this.emittedCapacity) {
      const oldest = this.emitted.keys().next().value!;
      this.emitted.delete(oldest);
      this.emittedAboveCommit.delete(oldest);
    }
  }

  private unwait(order: PendingOrder): void {
    for (const key of order.waitingOn) {
      const set = this.waiting.get(key);
      set?.delete(order.id);
      if (set?.size === 0) this.waiting.delete(key);
    }
    order.waitingOn = [];
  }

  private forget(order: PendingOrder): void {
    this.unwait(order);
    this.pending.delete(order.id);
  }

  private dlqEntry(record: InputRecord, reason: string): DlqEntry {
    return { reason, topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, value: record.value };
  }
}

/**
 * Whether version `a` is newer than `b`. Versions are ISO 8601 UTC times in one format, so they
 * compare as text; `null` (a line written before lines carried a version) is the oldest.
 */
function newer(a: string | null, b: string | null): boolean {
  return (a ?? '') > (b ?? '');
}

function extend(ranges: Ranges, kind: OrderKind, partition: number, offset: number): void {
  const key = tp(kind, partition);
  const r = ranges.get(key);
  if (!r) ranges.set(key, { first: offset, last: offset });
  else {
    r.first = Math.min(r.first, offset);
    r.last = Math.max(r.last, offset);
  }
}

function byLine(a: OrderDetail, b: OrderDetail): number {
  if (a.lineNo !== null && b.lineNo !== null) return a.lineNo - b.lineNo;
  return a.lineKey < b.lineKey ? -1 : a.lineKey > b.lineKey ? 1 : 0;
}
