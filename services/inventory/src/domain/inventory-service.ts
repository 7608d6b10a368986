import {
  BelowReservedError,
  canonicalLines,
  StockExistsError,
  OutOfStockError,
  ReservationClosedError,
  ReservationConflictError,
  UnknownSkuError,
  type Reservation,
  type ReservationLine,
  type ReserveInput,
  type Shortage,
  type Stock,
} from './inventory.js';

/**
 * Answers "is this SKU in the products catalogue?". The real one asks the products service;
 * tests pass a fake. Implementations throw a DependencyUnavailableError when they get no answer.
 */
export interface SkuCatalogue {
  /** The subset of `skus` the catalogue does not know, in the order given. */
  unknownSkus(skus: readonly string[]): Promise<string[]>;
}

/** What a restock did. `below-reserved` and `exists` changed nothing; `stock` is the SKU's stock after. */
export interface RestockResult { outcome: 'updated' | 'unchanged' | 'below-reserved' | 'exists'; stock: Stock }

export interface RestockOptions {
  /** Set the count only if the SKU has no stock record yet (`exists` otherwise). */
  onlyIfAbsent?: boolean;
}

/** What a reservation request did; only `created` changed anything. */
export type ReserveResult =
  | { outcome: 'created' | 'existing'; reservation: Reservation }
  /** The order id holds a reservation for other lines. */
  | { outcome: 'conflict'; reservation: Reservation }
  | { outcome: 'short'; shortages: Shortage[] };

/**
 * What confirm, release or expire did. `changed`: the transition happened now. `unchanged`: it
 * had happened already, or does not apply to the state (`state` says which). `unknown`: no
 * reservation for that order. `short`: a confirm arrived after expiry and the stock is gone.
 */
export type TransitionResult =
  | { outcome: 'changed'; state: Reservation['state']; late?: boolean }
  | { outcome: 'unchanged'; state: Reservation['state'] }
  | { outcome: 'unknown' }
  | { outcome: 'short'; state: Reservation['state']; shortages: Shortage[] };

/**
 * Where stock and reservations live. Every method that changes stock is one atomic step that
 * also records the change in the outbox, and is idempotent.
 */
export interface InventoryStore {
  /** The stock of each SKU, or `null` for a SKU that never had any recorded. */
  stocks(skus: readonly string[]): Promise<Array<Stock | null>>;
  /** Sets the count on hand; refuses to go below what pending reservations hold. */
  restock(sku: string, onHand: number, options?: RestockOptions): Promise<RestockResult>;
  /** Reserves all lines or none; `lines` in canonical form (see {@link canonicalLines}). */
  reserve(orderId: string, lines: readonly ReservationLine[], ttlMs: number): Promise<ReserveResult>;
  reservation(orderId: string): Promise<Reservation | null>;
  /** pending → confirmed (the units leave onHand); expired → confirmed if the stock is still there. */
  confirm(orderId: string): Promise<TransitionResult>;
  /** pending → released (reserved back), confirmed → released (onHand back). */
  release(orderId: string): Promise<TransitionResult>;
  /** Expires up to `limit` pending reservations whose deadline passed; returns their order ids. */
  expireDue(limit: number): Promise<string[]>;
  /** Keeps, by order id, an order whose confirm found its stock sold (idempotent). */
  recordOversold(orderId: string, shortages: readonly Shortage[]): Promise<void>;
  /** Every order recorded by {@link recordOversold}. */
  oversold(): Promise<Array<{ orderId: string; shortages: Shortage[] }>>;
}

export interface InventoryDeps {
  store: InventoryStore;
  catalogue: SkuCatalogue;
  /** How long a reservation stays pending before its stock returns. */
  reservationTtlMs: number;
}

/**
 * The inventory use cases over the {@link InventoryStore} and {@link SkuCatalogue} ports: they
 * decide what the store's outcomes mean to a caller (errors carrying their HTTP status).
 */
export class Inventory {
  constructor(private readonly deps: InventoryDeps) {}

  /** A SKU's stock: zeros for a catalogued SKU that never had stock, a 404 for an unknown one. */
  async stock(sku: string): Promise<Stock> {
    const [stock] = await this.stocks([sku]);
    return stock!;
  }

  /**
   * Several SKUs' stock in the order asked. Only SKUs without a stock record are looked up in
   * the catalogue (a record exists only for a SKU that was checked when it was restocked);
   * any unknown SKU makes the whole answer a 404 naming them all.
   */
  async stocks(skus: readonly string[]): Promise<Stock[]> {
    const found = await this.deps.store.stocks(skus);
    const unrecorded = skus.filter((_, i) => found[i] === null);
    if (unrecorded.length > 0) {
      const unknown = await this.deps.catalogue.unknownSkus(unrecorded);
      if (unknown.length > 0) throw new UnknownSkuError(unknown);
    }
    return skus.map((sku, i) => found[i] ?? { sku, onHand: 0, reserved: 0, available: 0 });
  }

  /**
   * Sets a catalogued SKU's count on hand; 404 for an unknown SKU, 409 below the reserved count.
   * With `onlyIfAbsent` (HTTP `If-None-Match: *`) a SKU that has stock already is a 412 and keeps
   * its counts: what a first stocking such as the seed needs to be rerun safely.
   */
  async restock(sku: string, onHand: number, options: RestockOptions = {}): Promise<Stock> {
    const unknown = await this.deps.catalogue.unknownSkus([sku]);
    if (unknown.length > 0) throw new UnknownSkuError(unknown);
    const result = await this.deps.store.restock(sku, onHand, options);
    if (result.outcome === 'below-reserved') throw new BelowReservedError(sku, onHand, result.stock.reserved);
    if (result.outcome === 'exists') throw new StockExistsError(result.stock);
    return result.stock;
  }

  /**
   * Reserves every line or none. A retry with the same order id and lines returns the same
   * reservation (`created: false`). The catalogue is not asked: the orders service checked the
   * SKUs already, and a SKU without stock is short anyway.
   */
  async reserve(input: ReserveInput): Promise<{ reservation: Reservation; created: boolean }> {
    const result = await this.deps.store.reserve(input.orderId, canonicalLines(input.lines), this.deps.reservationTtlMs);
    switch (result.outcome) {
      case 'short':
        throw new OutOfStockError(result.shortages);
      case 'conflict':
        throw new ReservationConflictError(input.orderId, result.reservation);
      case 'existing':
        if (result.reservation.state === 'released' || result.reservation.state === 'expired') throw new ReservationClosedError(input.orderId, result.reservation);
        return { reservation: result.reservation, created: false };
      case 'created':
        return { reservation: result.reservation, created: true };
    }
  }

  /** The reservation of an order, or `null`. */
  reservation(orderId: string): Promise<Reservation | null> {
    return this.deps.store.reservation(orderId);
  }

  /**
   * Called when the order's row arrives on the `order` topic. A confirm that finds the stock
   * gone (`short`: the order's row arrived after its reservation expired and the units were sold
   * again) changes nothing and is recorded by order id, for people to settle: the order exists,
   * its units do not.
   */
  async confirm(orderId: string): Promise<TransitionResult> {
    const result = await this.deps.store.confirm(orderId);
    if (result.outcome === 'short') await this.deps.store.recordOversold(orderId, result.shortages);
    return result;
  }

  /** Orders whose confirm found their stock sold (see {@link confirm}). */
  oversold(): Promise<Array<{ orderId: string; shortages: Shortage[] }>> {
    return this.deps.store.oversold();
  }

  /** Called when the order is cancelled. */
  release(orderId: string): Promise<TransitionResult> {
    return this.deps.store.release(orderId);
  }

  /** One sweep step: expires up to `limit` overdue pending reservations. */
  expireDue(limit: number): Promise<string[]> {
    return this.deps.store.expireDue(limit);
  }
}
