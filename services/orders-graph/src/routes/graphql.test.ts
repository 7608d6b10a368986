import { createLogger } from '@oms/service-kit';
import { GraphQLError } from './graphql-lib.js';
import { describe, expect, it } from 'vitest';
import { StatementTimeoutError } from '../data/order-repository.js';
import { maskInternalError } from './graphql.js';
import { LIMIT_CODE } from './graphql-limits.js';
import { UserInputError } from './graphql-schema.js';

const logger = createLogger('orders-graph-test', 'silent');

describe('maskInternalError', () => {
  it('when a resolver failed for an internal reason, then the message is replaced', () => {
    const err = new GraphQLError('connect ECONNREFUSED 10.0.0.1:5432', { path: ['orders'], originalError: new Error('boom') });
    const masked = maskInternalError(err, logger) as GraphQLError;
    expect(masked.message).toBe('internal server error');
    expect(masked.path).toEqual(['orders']);
    expect(masked.extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('when PostgreSQL cancelled the statement at its timeout, then the answer is the time limit on that field', () => {
    const err = new GraphQLError('canceling statement due to statement timeout', { path: ['orders'], originalError: new StatementTimeoutError(new Error('57014')) });
    const masked = maskInternalError(err, logger, 1234) as GraphQLError;
    expect(masked.message).toBe('The request took longer than the limit of 1234 ms and was stopped.');
    expect(masked.path).toEqual(['orders']);
    expect(masked.extensions).toEqual({ code: LIMIT_CODE, limit: 'timeoutMs', max: 1234 });
  });

  it('when the caller gave bad arguments, then the error passes through', () => {
    const original = new UserInputError('invalid arguments: limit: too big');
    const err = new GraphQLError(original.message, { originalError: original, extensions: original.extensions });
    expect(maskInternalError(err, logger)).toBe(err);
  });

  it('when the query itself is invalid, then the error passes through', () => {
    const err = new GraphQLError('Cannot query field "nope" on type "Query".');
    expect(maskInternalError(err, logger)).toBe(err);
  });
});
