import { createHttpClient, DependencyUnavailableError, describeError, describeRequest, parseAnswer, retry, RetryTimeoutError, type Backoff } from '@oms/service-kit';
import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { OutOfStockError, type StockLine, type StockReservations } from '../domain/place-order.js';

export interface HttpStockReservationsOptions {
  /** Base URL of the inventory service, without a trailing slash. */
  inventoryUrl: string;
  /** Per-request budget; a slower answer counts as no answer and is retried. */
  timeoutMs?: number;
  /** Requests in all before giving up (the first plus retries). */
  attempts?: number;
  /** Waits between attempts. */
  backoff?: Backoff;
}

// Only what the orders service reads from the inventory's answers; services never share types.
const reservationAnswer = z.object({ orderId: z.string(), state: z.enum(['pending', 'confirmed']) });
const outOfStockAnswer = z.object({
  message: z.string(),
  details: z.object({ outOfStock: z.array(z.object({ sku: z.string(), wanted: z.number().int(), available: z.number().int() })) }),
});

/** What a 503 from here tells the client: the inventory comes back within seconds (Redis restarts in about one). */
const RETRY_AFTER_SECONDS = 2;

/**
 * The real {@link StockReservations}: `POST /reservations {orderId, lines}` on the inventory
 * service through service-kit's HTTP client. 201 (reserved now) and 200 (reserved by an earlier
 * attempt) are success; 422 is {@link OutOfStockError} with the inventory's message. No answer,
 * a timeout or a 5xx is retried with the same order id — the inventory holds one reservation
 * per order id, so a retry after a lost answer reserves nothing twice — and after `attempts` is
 * a {@link DependencyUnavailableError} naming the inventory, with `Retry-After`. Any other
 * answer means we asked wrongly: not retried, also a 503.
 */
export class HttpStockReservations implements StockReservations {
  private readonly http: AxiosInstance;
  private readonly attempts: number;
  private readonly backoff: Backoff;

  constructor(options: HttpStockReservationsOptions) {
    this.http = createHttpClient({ dependency: 'inventory', baseUrl: options.inventoryUrl, timeoutMs: options.timeoutMs ?? 2000 });
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoff = options.backoff ?? { initialMs: 100, maxMs: 1000 };
  }

  async reserve(orderId: string, lines: readonly StockLine[]): Promise<void> {
    const res = await retry(() => this.http.post('/reservations', { orderId, lines }), {
      what: `reserve stock for order ${orderId}`,
      backoff: this.backoff,
      retries: this.attempts - 1,
      // The HTTP client rejects only when there was no usable answer: no answer, a timeout, a 5xx.
      retryIf: (err) => err instanceof DependencyUnavailableError,
    }).catch((err: unknown) => {
      if (!(err instanceof RetryTimeoutError)) throw err;
      throw new DependencyUnavailableError('inventory', `${describeError(err.cause).replace(/^the inventory service is unavailable: /, '')} (${err.attempts} attempts)`, RETRY_AFTER_SECONDS);
    });
    if (res.status === 201 || res.status === 200) {
      parseAnswer(reservationAnswer, res, 'inventory');
      return;
    }
    if (res.status === 422) {
      const { message, details } = parseAnswer(outOfStockAnswer, res, 'inventory');
      throw new OutOfStockError(message, details.outOfStock);
    }
    throw new DependencyUnavailableError('inventory', `${describeRequest(res.config)} answered ${res.status}`, RETRY_AFTER_SECONDS);
  }
}
