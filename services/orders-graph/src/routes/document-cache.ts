import { LRUCache } from 'lru-cache';
import { validate, type DocumentNode, type GraphQLSchema, type Source, type ValidationRule } from './graphql-lib.js';

/**
 * Query texts kept parsed, in characters: a few MB. A text is bounded by the token limit and the
 * body size anyway; clients send a handful of distinct queries with variables.
 */
export const DOCUMENT_CACHE_CHARS = 2_000_000;

/**
 * graphql-http's `parse` and `validate` with memory: a query text seen before is neither parsed
 * nor validated again. Clients send the same few query texts with different variables, and
 * validating a document (the standard rules plus the limits') was the largest part of a small
 * request's CPU, parsing the next (docs/architecture.md, Tuning).
 *
 * Safe because a handler's schema and rules never change, a document is never mutated by
 * graphql, and validation never sees variables. Only a text that parses is kept, and a document
 * is marked valid only when validation found nothing, so every error is found afresh.
 */
export function documentCache(
  parse: (source: string | Source) => DocumentNode,
  maxChars = DOCUMENT_CACHE_CHARS,
): {
  parse: (source: string | Source) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode, rules?: readonly ValidationRule[]) => ReturnType<typeof validate>;
} {
  const documents = new LRUCache<string, DocumentNode>({ maxSize: maxChars, sizeCalculation: (_doc, text) => Math.max(1, text.length) });
  const valid = new WeakMap<DocumentNode, { schema: GraphQLSchema; rules: readonly ValidationRule[] | undefined }>();
  return {
    parse: (source) => {
      const text = typeof source === 'string' ? source : source.body;
      const known = documents.get(text);
      if (known) return known;
      const document = parse(source);
      documents.set(text, document);
      return document;
    },
    validate: (schema, document, rules) => {
      const seen = valid.get(document);
      if (seen?.schema === schema && sameRules(seen.rules, rules)) return [];
      const errors = validate(schema, document, rules);
      if (errors.length === 0) valid.set(document, { schema, rules });
      return errors;
    },
  };
}

/** graphql-http builds a new array of the same rules for every request. */
function sameRules(a: readonly ValidationRule[] | undefined, b: readonly ValidationRule[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((rule, i) => rule === b[i]);
}
