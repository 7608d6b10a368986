import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  execute,
  GraphQLError,
  parse,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from './graphql-lib.js';

/**
 * What one GraphQL request may ask for (docs/architecture.md, "Limits"). Everything but the
 * time limit is checked before execution, so a request over a limit never reaches PostgreSQL.
 */
export interface GraphqlLimits {
  /** Tokens in the query text; bounds parsing and validation work (graphql's own `maxLexicalTokens`). */
  maxTokens: number;
  /** Nesting of fields; introspection's `__schema` is not counted, so GraphiQL keeps working. */
  maxDepth: number;
  /** Aliases in the operation: each alias of `orders` is up to two more database queries. */
  maxAliases: number;
  /** graphql-armor's cost: 2 per object field, 1 per scalar, multiplied by 1.5 per level. */
  maxCost: number;
  /** Wall time of one execution; also each SQL statement's `statement_timeout` (server.ts). */
  timeoutMs: number;
}

/**
 * Defaults: GraphiQL's introspection query is ~180 tokens at depth 0 (not counted) and cost 0;
 * a page of 100 orders with every field is depth 5 and cost ~112, 15 of them ~710 tokens and
 * cost ~1,680. So every query the API is meant for passes, and 2,000 aliases do not.
 */
export const DEFAULT_GRAPHQL_LIMITS: Readonly<GraphqlLimits> = Object.freeze({
  maxTokens: 2000,
  maxDepth: 8,
  maxAliases: 15,
  maxCost: 5000,
  timeoutMs: 5000,
});

/** The `extensions.code` of every answer to a request over a limit. */
export const LIMIT_CODE = 'QUERY_LIMIT_EXCEEDED';

/**
 * graphql-armor throws its error out of `validate` (and prefixes it "Syntax Error:"); reporting
 * it on the validation context instead makes it an ordinary validation error, which graphql-http
 * answers as one (400 under `application/graphql-response+json`), with a code and the limit.
 */
function reportOn(limit: keyof GraphqlLimits, max: number) {
  return {
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (ctx: ValidationContext | null, err: GraphQLError) => {
        ctx?.reportError(
          new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code: LIMIT_CODE, limit, max } }),
        );
      },
    ],
  };
}

/** The validation rules that enforce depth, aliases and cost; graphql-http adds them to the standard ones. */
export function limitRules(limits: GraphqlLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ...reportOn('maxDepth', limits.maxDepth) }),
    maxAliasesRule({ n: limits.maxAliases, ...reportOn('maxAliases', limits.maxAliases) }),
    costLimitRule({ maxCost: limits.maxCost, ...reportOn('maxCost', limits.maxCost) }),
  ];
}

/** graphql's parser, stopping at `maxTokens` with a GraphQL syntax error (a 400). */
export function limitedParse(maxTokens: number): (source: string | Source) => DocumentNode {
  return (source) => {
    try {
      return parse(source, { maxLexicalTokens: maxTokens });
    } catch (err) {
      // graphql's own message ("Document contains more that N tokens. Parsing aborted.") is a syntax error.
      if (err instanceof GraphQLError && err.message.includes('tokens. Parsing aborted.')) {
        throw new GraphQLError(`Query exceeds the limit of ${maxTokens} tokens.`, {
          extensions: { code: LIMIT_CODE, limit: 'maxTokens', max: maxTokens },
        });
      }
      throw err;
    }
  };
}

/** The answer to a request that ran out of time, or whose SQL statement PostgreSQL cancelled for running too long. */
export class RequestTimeoutError extends GraphQLError {
  constructor(timeoutMs: number) {
    super(`The request took longer than the limit of ${timeoutMs} ms and was stopped.`, {
      extensions: { code: LIMIT_CODE, limit: 'timeoutMs', max: timeoutMs },
    });
    this.name = 'RequestTimeoutError';
  }
}

/**
 * graphql's `execute`, answering `{data: null, errors: [timeout]}` once `timeoutMs` has passed.
 * graphql cannot cancel resolvers; PostgreSQL's `statement_timeout` (the same `timeoutMs`)
 * stops the statements they run, so the work left behind is bounded too.
 *
 * A request can also run out of time because its store hangs rather than because it asked too
 * much. `blame`, when given, is asked once the time is up: an error it resolves to (e.g. "the
 * store does not answer") is the answer instead of the time limit, as a resolver error whose
 * original error it is.
 */
export function executeWithin(timeoutMs: number, blame?: () => Promise<Error | undefined>): (args: ExecutionArgs) => Promise<ExecutionResult> {
  const late = async (): Promise<ExecutionResult> => {
    const cause = await blame?.();
    if (cause) return { data: null, errors: [new GraphQLError(cause.message, { originalError: cause })] };
    return { data: null, errors: [new RequestTimeoutError(timeoutMs)] };
  };
  return async (args) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve(late()), timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve(execute(args)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}
