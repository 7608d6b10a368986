import { describe, expect, it } from 'vitest';
import type { OrderRepository } from '../data/order-repository.js';
import type { OrderFilter } from '../domain/orders-args.js';
import { execute, parse } from './graphql-lib.js';
import { createGraphqlApi } from './graphql-schema.js';

/** A repository that answers nothing and records which statements a query needed. */
function recording(): { repo: OrderRepository; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    repo: {
      findById: () => Promise.resolve(null),
      findPage: (f: OrderFilter) => (calls.push(`page ${f.limit}`), Promise.resolve([])),
      count: (f: OrderFilter) => (calls.push(`count ${f.limit}`), Promise.resolve(42)),
      ping: () => Promise.resolve(),
    },
  };
}

async function run(repo: OrderRepository, query: string): Promise<unknown> {
  const { schema, rootValue } = createGraphqlApi(repo);
  return execute({ schema, rootValue, document: parse(query) });
}

describe('Query.orders', () => {
  it('when only items are asked for, then only the page is read (no count)', async () => {
    const { repo, calls } = recording();
    expect(await run(repo, '{ orders(limit: 3) { items { id } } }')).toEqual({ data: { orders: { items: [] } } });
    expect(calls).toEqual(['page 3']);
  });

  it('when only the total is asked for, then only the count is read', async () => {
    const { repo, calls } = recording();
    expect(await run(repo, '{ orders { total } }')).toEqual({ data: { orders: { total: 42 } } });
    expect(calls).toEqual(['count 20']);
  });

  it('when both are asked for, then both are read, once each, with the same filter', async () => {
    const { repo, calls } = recording();
    expect(await run(repo, '{ orders(limit: 7) { total items { id } } }')).toEqual({ data: { orders: { total: 42, items: [] } } });
    expect(calls.sort()).toEqual(['count 7', 'page 7']);
  });

  it('when the arguments are invalid, then neither is read', async () => {
    const { repo, calls } = recording();
    const result = (await run(repo, '{ orders(limit: 101) { total items { id } } }')) as { errors?: Array<{ message: string }> };
    expect(result.errors?.[0]?.message).toMatch(/limit must be between 1 and 100/);
    expect(calls).toEqual([]);
  });
});
