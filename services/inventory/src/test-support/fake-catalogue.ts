import { DependencyUnavailableError } from '@oms/service-kit';
import type { SkuCatalogue } from '../domain/inventory-service.js';

/** A catalogue of the given SKUs; `down` makes it answer like an unreachable products service. */
export class FakeCatalogue implements SkuCatalogue {
  down = false;
  readonly asked: string[][] = [];

  constructor(private readonly known: Iterable<string>) {}

  async unknownSkus(skus: readonly string[]): Promise<string[]> {
    this.asked.push([...skus]);
    if (this.down) throw new DependencyUnavailableError('products', 'GET /products/… failed: ECONNREFUSED');
    const known = new Set(this.known);
    return skus.filter((sku) => !known.has(sku));
  }
}
