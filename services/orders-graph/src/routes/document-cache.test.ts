import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPHQL_LIMITS, LIMIT_CODE, limitedParse, limitRules } from './graphql-limits.js';
import { documentCache } from './document-cache.js';
import { buildSchema, parse, specifiedRules, type ASTVisitor, type DocumentNode, type Source, type ValidationRule } from './graphql-lib.js';
import { typeDefs } from './graphql-schema.js';

const schema = buildSchema(typeDefs);

/** The real parser, counting its calls. */
function countingParse(): { parse: (s: string | Source) => DocumentNode; calls: () => number } {
  let n = 0;
  return {
    parse: (s) => {
      n++;
      return limitedParse(DEFAULT_GRAPHQL_LIMITS.maxTokens)(s);
    },
    calls: () => n,
  };
}

/** A rule that reports nothing and counts the documents it saw. */
function countingRule(): { rule: ValidationRule; runs: () => number } {
  let n = 0;
  return {
    rule: (): ASTVisitor => {
      n++;
      return {};
    },
    runs: () => n,
  };
}

const Q = '{ orders(limit: 5) { total items { id } } }';

describe('documentCache', () => {
  it('when the same query text comes again, then it is neither parsed nor validated again, and the same document is used', () => {
    const p = countingParse();
    const r = countingRule();
    const cache = documentCache(p.parse);
    const first = cache.parse(Q);
    expect(cache.validate(schema, first, [r.rule])).toEqual([]);
    const again = cache.parse(Q);
    expect(again).toBe(first);
    expect(cache.validate(schema, again, [r.rule])).toEqual([]);
    expect(p.calls()).toBe(1);
    expect(r.runs()).toBe(1);
  });

  it('when the rules differ (or the schema), then the document is validated again', () => {
    const r1 = countingRule();
    const r2 = countingRule();
    const cache = documentCache(parse);
    const doc = cache.parse(Q);
    cache.validate(schema, doc, [r1.rule]);
    cache.validate(schema, doc, [r1.rule]); // a new array of the same rules: cached
    cache.validate(schema, doc, [r2.rule]);
    cache.validate(buildSchema(typeDefs), doc, [r2.rule]);
    expect(r1.runs()).toBe(1);
    expect(r2.runs()).toBe(2);
  });

  it('when a query is invalid, then every request gets the errors again (they are never cached)', () => {
    const r = countingRule();
    const cache = documentCache(parse);
    const bad = '{ orders { nope } }';
    for (let i = 0; i < 2; i++) {
      const errors = cache.validate(schema, cache.parse(bad), [...specifiedRules, r.rule]);
      expect(errors.map((e) => e.message)).toEqual(['Cannot query field "nope" on type "OrderPage".']);
    }
    expect(r.runs()).toBe(2);
  });

  it('when a query is over a limit, then it is refused every time', () => {
    const limits = { ...DEFAULT_GRAPHQL_LIMITS, maxDepth: 2 };
    const cache = documentCache(parse);
    const deep = '{ orders { items { customer { name } } } }';
    for (let i = 0; i < 2; i++) {
      const errors = cache.validate(schema, cache.parse(deep), limitRules(limits));
      expect(errors[0]?.extensions).toMatchObject({ code: LIMIT_CODE, limit: 'maxDepth' });
    }
    const tokens = documentCache(limitedParse(10));
    for (let i = 0; i < 2; i++) expect(() => tokens.parse(Q)).toThrow(/limit of 10 tokens/);
  });

  it('when the texts kept pass the size bound, then the least recently used is parsed again', () => {
    const p = countingParse();
    const cache = documentCache(p.parse, Q.length * 2);
    const other = '{ orders(limit: 6) { total items { id } } }';
    const third = '{ orders(limit: 7) { total items { id } } }';
    cache.parse(Q);
    cache.parse(other);
    cache.parse(Q); // Q is now the most recently used
    cache.parse(third); // evicts `other`
    expect(p.calls()).toBe(3);
    cache.parse(Q);
    expect(p.calls()).toBe(3);
    cache.parse(other);
    expect(p.calls()).toBe(4);
  });
});
