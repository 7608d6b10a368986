import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import type { Product } from '../domain/product.js';
import { ensureProductIndex, productMappings } from './product-index.js';
import { ElasticsearchProductRepository } from './product-repository.js';

// Its own index: vitest runs test files in parallel, and the route tests own `products_test`.
const INDEX = 'products_test_repository';
const product = (sku: string, description = `Product ${sku}`): Product => ({
  sku,
  description,
  price: 1.25,
  productType: 'TEST',
  length: 1,
  width: 1,
  height: 1,
  weight: 1,
  unitMeasurement: 'CM',
  hierarchies: [],
});

let client: Client;
let repo: ElasticsearchProductRepository;

async function count(): Promise<number> {
  await client.indices.refresh({ index: INDEX });
  return (await client.count({ index: INDEX })).count;
}

beforeAll(async () => {
  client = new Client({ node: testInfra().elasticsearchUrl });
  await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  await ensureProductIndex(client, INDEX);
  repo = new ElasticsearchProductRepository(client, INDEX);
});

afterAll(async () => {
  await client?.indices.delete({ index: INDEX, ignore_unavailable: true });
  await client?.close();
});

describe('ensureProductIndex', () => {
  it('when the index already exists, then running it again succeeds and keeps the strict mapping', async () => {
    await ensureProductIndex(client, INDEX);
    const mapping = await client.indices.getMapping({ index: INDEX });
    expect(mapping[INDEX]?.mappings.dynamic).toBe('strict');
    expect(mapping[INDEX]?.mappings.properties?.price).toEqual(productMappings.properties?.price);
    const settings = await client.indices.getSettings({ index: INDEX });
    expect(settings[INDEX]?.settings?.index?.number_of_replicas).toBe('0');
  });
});

describe('ElasticsearchProductRepository.bulkUpsert', () => {
  it('when the same products are upserted twice, then each SKU exists once with the latest content', async () => {
    const first = await repo.bulkUpsert([product('A-1'), product('A-2')], { refresh: true });
    expect(first).toEqual({ succeeded: 2, failed: [] });
    const second = await repo.bulkUpsert([product('A-1', 'Renamed'), product('A-2')], { refresh: true });
    expect(second).toEqual({ succeeded: 2, failed: [] });
    expect(await count()).toBe(2);
    expect((await repo.get('A-1'))?.description).toBe('Renamed');
  });

  it('when one document breaks the strict mapping, then only it is reported failed', async () => {
    const bad = { ...product('A-3'), colour: 'red' } as unknown as Product;
    const result = await repo.bulkUpsert([product('A-4'), bad], { refresh: true });
    expect(result.succeeded).toBe(1);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ sku: 'A-3', status: 400 });
    expect(result.failed[0]?.reason).toMatch(/strict_dynamic_mapping_exception/);
    expect(await repo.get('A-3')).toBeUndefined();
    expect(await repo.get('A-4')).toBeDefined();
  });

  it('when the list is empty, then nothing is sent and nothing fails', async () => {
    expect(await repo.bulkUpsert([])).toEqual({ succeeded: 0, failed: [] });
  });
});

describe('ElasticsearchProductRepository.bulkDelete', () => {
  it('when SKUs are deleted, including unknown ones, then they are gone and nothing fails', async () => {
    await repo.bulkUpsert([product('D-1'), product('D-2')], { refresh: true });
    const result = await repo.bulkDelete(['D-1', 'D-2', 'NEVER-THERE'], { refresh: true });
    expect(result).toEqual({ succeeded: 3, failed: [] });
    expect(await repo.get('D-1')).toBeUndefined();
    expect(await repo.get('D-2')).toBeUndefined();
  });

  it('when the same delete is replayed, then it still succeeds', async () => {
    expect(await repo.bulkDelete(['D-1'], { refresh: true })).toEqual({ succeeded: 1, failed: [] });
  });

  it('when the list is empty, then nothing is sent and nothing fails', async () => {
    expect(await repo.bulkDelete([])).toEqual({ succeeded: 0, failed: [] });
  });
});

describe('ElasticsearchProductRepository.get and ping', () => {
  it('when the index does not exist, then get answers undefined rather than throwing', async () => {
    const other = new ElasticsearchProductRepository(client, 'products_test_missing_index');
    expect(await other.get('X')).toBeUndefined();
  });

  it('when the cluster is up, then ping resolves', async () => {
    await expect(repo.ping()).resolves.toBeUndefined();
  });
});
