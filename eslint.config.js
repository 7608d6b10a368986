import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Tests, their helpers and fixtures, and the tools' own config files: what may use devDependencies. */
const TEST_FILES = ['**/*.test.ts', '**/test-support/**', 'test/**', '**/fixtures/**'];
const DEV_FILES = [...TEST_FILES, 'vitest*.config.ts', 'eslint.config.js'];

/**
 * One flat config for every workspace: typescript-eslint's strict and stylistic type-checked
 * rules over all TypeScript (tests included), typed by tsconfig.typecheck.json, the same
 * program `npm run typecheck` checks. Every rule turned off or relaxed says why.
 */
export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', '.oms/', 'coverage/']),
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.typecheck.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Crashes the whole run (RangeError: call stack) on recursive types such as graphql-js's
      // GraphQLList<GraphQLInputType> (typescript-eslint 8.74); try again on a later release.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // A number prints the same in a template as through String(); nullable values, objects and
      // unknown still have to be turned into text on purpose.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowRegExp: false },
      ],
      // tsconfig has noUncheckedIndexedAccess, so every index read is `T | undefined`; `!` marks
      // the reads the code has just made safe (a modulo index, a key it set), where a runtime
      // check would be dead code.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `(m) => log.info(m)` as a callback is fine; a void value used anywhere else is still flagged.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `async` on a function that implements a Promise-returning port without awaiting (a fake, a
      // synchronous implementation) keeps its throws as rejections; dropping it would change that.
      // Forgotten awaits are caught by no-floating-promises and no-misused-promises.
      '@typescript-eslint/require-await': 'off',
      // The codebase writes T[] for simple types and Array<{ … }> for object and union types.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // An empty arrow is a deliberate no-op (a best-effort close whose error is ignored, a silent
      // output hook); empty functions and methods are still flagged.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // An empty string means "not set" for environment variables and messages, so `||` is meant.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // `_name` is a parameter a signature needs (Express knows an error handler by its four
      // parameters); rest siblings are how an object is copied without some keys.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Passing on a caught value (typed unknown) is propagation; a new rejection must still be an Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // The console's page runs in the browser: typed by its own tsconfig (lib DOM, which the Node
    // program leaves out), built and type-checked by `tsc -b`.
    files: ['cli/web/src/**/*.ts'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { project: './cli/web/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests read untyped JSON (HTTP bodies, database rows, Kafka messages) and assert on it:
      // the expect() that follows is the check. Production code keeps these rules.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The same JSON, declared where it enters: `body: any`, or a helper's `json<T>()` that hands
      // it back as the shape the test expects.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // What beforeAll sets is typed as set, yet is unset in afterAll when beforeAll failed: the
      // teardown's `pool?.end()` is needed there.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // Each workspace imports only what its own package.json declares (test/ and the root config
    // files: the root's), and production code only its dependencies, not devDependencies: the
    // service images install with --omit=dev, and hoisting must not hide a missing declaration.
    files: ['**/*.{ts,js,mjs}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: DEV_FILES, includeTypes: true }],
    },
  },
);
