import type { Product } from '../domain/product.js';

/** A valid product for tests: only the SKU (and, when it matters, the description) varies. */
export const testProduct = (sku: string, description = `Product ${sku}`): Product => ({
  sku,
  description,
  price: 12.5,
  productType: 'TEST',
  length: 1,
  width: 2,
  height: 3,
  weight: 0.5,
  unitMeasurement: 'CM',
  hierarchies: [{ hierarchyName: 'test', hierarchyDescription: 'Test products' }],
});
