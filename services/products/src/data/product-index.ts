import type { Client, estypes } from '@elastic/elasticsearch';

/**
 * Explicit mapping. `dynamic: strict` makes a document with an unknown field fail loudly at
 * index time instead of silently growing the mapping. This Elasticsearch build lacks
 * mapper-extras and analysis-common, so prices are `double` (no scaled_float) and only
 * built-in analyzers/normalizers are used.
 */
export const productMappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    // Exact SKU for get/sort; the lowercase normalizer lets a search for "sku-001" find "SKU-001".
    sku: { type: 'keyword', normalizer: 'lowercase' },
    description: { type: 'text', analyzer: 'standard', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    price: { type: 'double' },
    productType: { type: 'keyword', normalizer: 'lowercase' },
    length: { type: 'double' },
    width: { type: 'double' },
    height: { type: 'double' },
    weight: { type: 'double' },
    unitMeasurement: { type: 'keyword' },
    // Plain object, not nested: we only full-text search the descriptions and never need to
    // correlate a name with its own description, so nested queries would be cost without gain.
    hierarchies: {
      properties: {
        hierarchyName: { type: 'keyword' },
        hierarchyDescription: { type: 'text', analyzer: 'standard' },
      },
    },
  },
};

/** One shard and no replicas: a single local node would otherwise stay yellow forever. */
export const productIndexSettings: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  number_of_replicas: 0,
};

/**
 * The stock index: one document per SKU (`_id` = SKU) holding what the inventory last published
 * for it. Apart from the product index because (1) its documents change with every order while
 * products rarely do, and the product indexer replaces a product document whole; (2) each write
 * carries the inventory's version as an external version, so Elasticsearch itself drops a record
 * that is not newer than the stored one, which a field inside the product document could not do
 * without scripts (this Elasticsearch build has no painless); (3) stock may arrive before its product.
 */
export const stockMappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    sku: { type: 'keyword' },
    onHand: { type: 'long' },
    reserved: { type: 'long' },
    available: { type: 'long' },
    // The inventory's change counter for the SKU, also the document's external `_version`.
    version: { type: 'long' },
    at: { type: 'date' },
  },
};

/** The products index, created with {@link productMappings} when missing; see {@link ensureIndex}. */
export function ensureProductIndex(client: Client, index: string): Promise<void> {
  return ensureIndex(client, index, productMappings);
}

/** The stock index, created with {@link stockMappings} when missing; see {@link ensureIndex}. */
export function ensureStockIndex(client: Client, index: string): Promise<void> {
  return ensureIndex(client, index, stockMappings);
}

/**
 * Creates the index with the explicit mapping when it is missing; when it exists, puts the
 * mapping again, which is a no-op for an identical mapping, adds new fields, and fails loudly
 * on a conflicting one. Waits until the index can serve searches. Safe to run at every start.
 */
export async function ensureIndex(client: Client, index: string, mappings: estypes.MappingTypeMapping): Promise<void> {
  const exists = await client.indices.exists({ index });
  if (!exists) {
    try {
      await client.indices.create({ index, settings: productIndexSettings, mappings });
    } catch (err) {
      // Another instance created it between our check and create: that is the state we want.
      if (!isAlreadyExists(err)) throw err;
    }
  } else {
    await client.indices.putMapping({ index, ...mappings });
  }
  await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '30s' });
}

function isAlreadyExists(err: unknown): boolean {
  const body = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
  return body?.error?.type === 'resource_already_exists_exception';
}
