import { describe, expect, it } from 'vitest';
import { productSchema, productSearchSchema } from './product.js';

describe('productSearchSchema', () => {
  it('when nothing is given, then it lists from the start with 20 per page', () => {
    expect(productSearchSchema.parse({})).toEqual({ text: undefined, limit: 20, offset: 0 });
  });

  it('when text is blank, then it is treated as no text', () => {
    expect(productSearchSchema.parse({ text: '   ' }).text).toBeUndefined();
  });

  it('when text has surrounding spaces, then they are trimmed', () => {
    expect(productSearchSchema.parse({ text: '  pan ' }).text).toBe('pan');
  });

  it('when limit and offset arrive as strings, then they are coerced to integers', () => {
    expect(productSearchSchema.parse({ limit: '5', offset: '10' })).toMatchObject({ limit: 5, offset: 10 });
  });

  it.each([['0'], ['101'], ['2.5'], ['abc']])('when limit is %s, then it is rejected', (limit) => {
    expect(productSearchSchema.safeParse({ limit }).success).toBe(false);
  });

  it('when offset is negative, then it is rejected', () => {
    expect(productSearchSchema.safeParse({ offset: '-1' }).success).toBe(false);
  });

  it('when offset + limit passes the result window, then it is rejected on offset', () => {
    const result = productSearchSchema.safeParse({ offset: '9990', limit: '20' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['offset']);
  });
});

describe('productSchema', () => {
  const product = {
    sku: 'SKU-1',
    description: 'Pan',
    price: 10.5,
    productType: 'KITCHEN',
    length: 1,
    width: 2,
    height: 3,
    weight: 4,
    unitMeasurement: 'CM',
  };

  it('when hierarchies are missing, then they default to an empty list', () => {
    expect(productSchema.parse(product).hierarchies).toEqual([]);
  });

  it('when the sku is empty, then the product is rejected', () => {
    expect(productSchema.safeParse({ ...product, sku: '' }).success).toBe(false);
  });
});
