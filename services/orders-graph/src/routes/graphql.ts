import { asDependencyUnavailable, BadRequestError, DEFAULT_RETRY_AFTER_SECONDS, DependencyUnavailableError, withTimeout, type Logger } from '@oms/service-kit';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { createHandler } from 'graphql-http/lib/use/express';
import { StatementTimeoutError, type OrderRepository } from '../data/order-repository.js';
import { documentCache } from './document-cache.js';
import { GraphQLError } from './graphql-lib.js';
import { DEFAULT_GRAPHQL_LIMITS, executeWithin, limitedParse, limitRules, RequestTimeoutError, type GraphqlLimits } from './graphql-limits.js';
import { createGraphqlApi } from './graphql-schema.js';

/**
 * `GET|POST /graphql` through graphql-http. Malformed JSON and oversized bodies never reach
 * it: service-kit's body parser answers them with the same 400/413 JSON as every service.
 * A request over one of `limits` is refused at parsing or validation, before anything runs,
 * except the time limit, which stops execution (see graphql-limits.ts). A query text seen
 * before is neither parsed nor validated again (document-cache.ts).
 */
export function graphqlRoutes(orders: OrderRepository, logger: Logger, limits: GraphqlLimits = DEFAULT_GRAPHQL_LIMITS): Router {
  const { schema, rootValue } = createGraphqlApi(orders);
  const documents = documentCache(limitedParse(limits.maxTokens));
  const router = Router();
  router.post('/graphql', requireJsonObjectBody);
  router.all(
    '/graphql',
    createHandler({
      schema,
      rootValue,
      parse: documents.parse,
      validate: documents.validate,
      validationRules: limitRules(limits),
      execute: executeWithin(limits.timeoutMs, () => storeHangs(orders)),
      formatError: (err) => maskInternalError(err, logger, limits.timeoutMs),
      onOperation: (req, _args, result) => {
        // PostgreSQL down or restarting: a 503 the client can retry, as every service answers.
        const unavailable = result.errors?.find((err) => dependencyOf(err) !== undefined);
        if (unavailable) {
          const body = JSON.stringify({ ...result, errors: result.errors!.map((err) => maskInternalError(err, logger, limits.timeoutMs)) });
          return [body, { status: 503, statusText: 'Service Unavailable', headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(DEFAULT_RETRY_AFTER_SECONDS) } }];
        }
        if ('data' in result || !result.errors) return;
        // No `data` entry means the request never executed (e.g. a variable of the wrong
        // type). GraphQL over HTTP wants a 4xx for that under its own media type, but
        // graphql-http answers 200; legacy application/json clients keep the 200.
        // The express adapter hands over node's plain IncomingHttpHeaders object.
        const accept = (req.headers as Record<string, string | string[] | undefined>).accept;
        if (!String(accept ?? '').includes('application/graphql-response+json')) return;
        const body = JSON.stringify({ errors: result.errors.map((err) => maskInternalError(err, logger, limits.timeoutMs)) });
        return [
          body,
          {
            status: 400,
            statusText: 'Bad Request',
            headers: { 'content-type': 'application/graphql-response+json; charset=utf-8' },
          },
        ];
      },
    }),
  );
  return router;
}

/**
 * The body parser already consumed the stream, and graphql-http re-reads it when `req.body`
 * is falsy: a JSON `null`, `0` or `false` body would hang forever. No non-object body is a
 * GraphQL request anyway, so answer them all with service-kit's 400.
 */
function requireJsonObjectBody(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (req.is('application/json') && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    next(new BadRequestError('request body must be a JSON object like {"query": "..."}'));
    return;
  }
  next();
}

/** The read model's store: a bare socket error from the pool is about it. */
const STORE = 'postgres';

/** How long PostgreSQL gets to answer a ping once a request ran out of time. */
const STORE_PROBE_MS = 1_000;

/**
 * Why a request ran out of time, if PostgreSQL is to blame: it does not answer a ping in
 * {@link STORE_PROBE_MS} (hung, or every connection stuck). Then the answer is a 503 the
 * client can retry, not a time limit that says its query asked too much.
 */
async function storeHangs(orders: OrderRepository): Promise<Error | undefined> {
  try {
    await withTimeout(orders.ping(), STORE_PROBE_MS);
    return undefined;
  } catch (err) {
    return asDependencyUnavailable(err, STORE) ?? new DependencyUnavailableError(STORE, `no answer within ${STORE_PROBE_MS} ms`);
  }
}

/** The dependency a resolver's error says is unavailable, if that is what it says. */
function dependencyOf(err: Readonly<GraphQLError | Error>): string | undefined {
  if (!(err instanceof GraphQLError) || !err.originalError || err.originalError instanceof GraphQLError) return undefined;
  return asDependencyUnavailable(err.originalError, STORE)?.dependency;
}

/**
 * Syntax, validation and argument errors (such as {@link UserInputError}) are the caller's
 * and pass through. A statement PostgreSQL cancelled for running past the time limit is
 * answered as that limit. A resolver that failed because PostgreSQL cannot answer now becomes
 * `{message, extensions: {code: "DEPENDENCY_UNAVAILABLE", dependency}}` (the request is a 503).
 * An error thrown from a resolver for any other reason (a bug) is logged and replaced, so
 * clients never see SQL or host names.
 */
export function maskInternalError(
  err: Readonly<GraphQLError | Error>,
  logger: Logger,
  timeoutMs = DEFAULT_GRAPHQL_LIMITS.timeoutMs,
): GraphQLError | Error {
  if (!(err instanceof GraphQLError)) return err;
  const original = err.originalError;
  // A GraphQLError is always deliberate (ours, or graphql's own coercion messages).
  if (!original || original instanceof GraphQLError) return err;
  if (original instanceof StatementTimeoutError) {
    const { message, extensions } = new RequestTimeoutError(timeoutMs);
    return new GraphQLError(message, { nodes: err.nodes, path: err.path, extensions });
  }
  const unavailable = asDependencyUnavailable(original, STORE);
  if (unavailable) {
    logger.warn({ err: original, path: err.path, dependency: unavailable.dependency }, unavailable.message);
    return new GraphQLError(unavailable.message, { nodes: err.nodes, path: err.path, extensions: { code: 'DEPENDENCY_UNAVAILABLE', dependency: unavailable.dependency } });
  }
  logger.error({ err: original, path: err.path }, 'resolver failed');
  return new GraphQLError('internal server error', {
    nodes: err.nodes,
    path: err.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}
