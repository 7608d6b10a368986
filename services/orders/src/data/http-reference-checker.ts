import { z } from 'zod';
import { DependencyUnavailableError, type ReferenceChecker } from '../domain/place-order.js';

export interface HttpReferenceCheckerOptions {
  /** Base URL of the customers service, without a trailing slash. */
  customersUrl: string;
  /** Base URL of the products service, without a trailing slash. */
  productsUrl: string;
  /** Per-request budget; a slower dependency counts as unavailable. */
  timeoutMs?: number;
  /** SKU look-ups in flight at once: parallel for speed, bounded so 100 lines do not open 100 sockets. */
  concurrency?: number;
}

// Only what the check needs from GET /customers/:id; services never share types.
const customerAddressesSchema = z.object({ addresses: z.array(z.object({ id: z.string() })) });

type Dependency = DependencyUnavailableError['dependency'];

/**
 * The real {@link ReferenceChecker}: asks the customers service (GET /customers/:id, whose
 * body lists the addresses) and the products service (GET /products/:sku, 404 when unknown).
 * A 404 means "missing"; no answer, a 5xx or any other surprise is a {@link DependencyUnavailableError}.
 */
export class HttpReferenceChecker implements ReferenceChecker {
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: HttpReferenceCheckerOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
  }

  async customerAddressIds(customerId: string): Promise<ReadonlySet<string> | null> {
    const url = `${this.options.customersUrl}/customers/${encodeURIComponent(customerId)}`;
    const res = await this.get('customers', url);
    if (res.status === 404) {
      await drain(res);
      return null;
    }
    if (res.status !== 200) {
      await drain(res);
      throw new DependencyUnavailableError('customers', `GET ${url} answered ${res.status}`);
    }
    const parsed = customerAddressesSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new DependencyUnavailableError('customers', `GET ${url} returned an unexpected body`);
    return new Set(parsed.data.addresses.map((address) => address.id.toLowerCase()));
  }

  async missingSkus(skus: readonly string[]): Promise<string[]> {
    const unique = [...new Set(skus)];
    const found = await mapBounded(unique, this.concurrency, (sku) => this.skuExists(sku));
    return unique.filter((_, index) => !found[index]);
  }

  private async skuExists(sku: string): Promise<boolean> {
    const url = `${this.options.productsUrl}/products/${encodeURIComponent(sku)}`;
    const res = await this.get('products', url);
    await drain(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new DependencyUnavailableError('products', `GET ${url} answered ${res.status}`);
  }

  private async get(dependency: Dependency, url: string): Promise<Response> {
    try {
      return await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new DependencyUnavailableError(dependency, `GET ${url} failed: ${reasonOf(err, this.timeoutMs)}`);
    }
  }
}

/** Reads and discards the body so the keep-alive connection can be reused. */
async function drain(res: Response): Promise<void> {
  await res.arrayBuffer().catch(() => undefined);
}

/** fetch hides the socket error in `cause` ("fetch failed" alone helps nobody). */
function reasonOf(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** Like Promise.all over `items.map(work)`, with at most `limit` calls in flight. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
