/**
 * The one door to `graphql` for this service.
 *
 * graphql 16 ships a CommonJS build (`main`) and an ESM build (`module`) and no exports map.
 * Node, and so graphql-http, loads the CommonJS one; Vite-based tools (vitest) would hand our
 * code the ESM one, and graphql then rejects our schema as coming "from another module or
 * realm". Importing the CommonJS file by path makes every loader agree on a single copy.
 */
export {
  buildSchema,
  execute,
  getIntrospectionQuery,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type GraphQLType,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql/index.js';
