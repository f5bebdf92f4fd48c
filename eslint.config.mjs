// ESLint (flat config): the TypeScript mistakes that bite Temporal users, checked before any test runs.
// Formatting is Prettier's job (`prettier --check` in `npm run lint`); eslint-config-prettier turns off
// every style rule that could disagree with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** A relative import that climbs into another lesson's folder (`../06-order-fulfillment/…`). */
const OTHER_LESSON = {
  regex: '^(\\.\\./)+(original/|solution/|exercises/)?\\d\\d-[^/]+(/|$)',
  message: "A lesson stands alone: import only common/ and services/, never another lesson's folder.",
};

/**
 * Files matching `files` (but not `except`) must not import from the top-level folders in `above` (nor
 * match `extra`).
 */
function layer(files, above, extra = [], except = []) {
  return {
    files,
    ignores: ['**/workflows/**/*.ts', '**/workflows.ts', ...except],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(above.length
              ? [
                  {
                    regex: `^(\\.\\./)+(${above.join('|')})(/|$)`,
                    message: `This layer may not import from ${above.join(', ')}: services and common at the bottom, lessons on them, tests above, scripts on top.`,
                  },
                ]
              : []),
            ...extra,
          ],
        },
      ],
    },
  };
}

const COMMANDS_BELOW_TESTS =
  'A learner command may not import tests/ (the harness, the criteria and the tests): what it uses lives in common/ or common/kit/.';

/** What a learner command (scripts/, but for the grader's front end and the maintainer tools) may not import. */
const NO_TESTS = { regex: '^(\\.\\./)+tests(/|$)', message: COMMANDS_BELOW_TESTS };

/** The grader's front end runs the criteria (tests/criteria), and nothing else of tests/. */
const ONLY_CRITERIA = {
  regex: '^(\\.\\./)+tests(/(?!criteria(/|$))|$)',
  message: `${COMMANDS_BELOW_TESTS} npm run grade may import the grader's engine, tests/criteria.`,
};

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.replace(/^node:/, '').split('/')[0]))];

/** What a lesson's files may never import: another lesson's folder (an exercise never reads a solution). */
const LESSON_PATTERNS = [
  {
    regex: '^(\\.\\./)+(original|solution|exercises)(/|$)',
    message: "A lesson stands alone: import only common/ and services/, never another lesson's folder.",
  },
  OTHER_LESSON,
];

/**
 * The services/ modules workflow code may import for their values: plain data and pure functions, no Node
 * module, no ledger. Every other module there (the entry, the gateways, the ledger, faults, latency…) is
 * refused, so a new service file is refused too until someone decides it is safe.
 */
const WORKFLOW_SAFE_SERVICES = ['orders', 'warehouses'];

/** The rule for workflow files: no Node modules, no services but the pure ones, activities only as types; plus `extra`. */
function workflowRules(extra) {
  return {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: nodeBuiltins.map((name) => ({
          name,
          message: 'Workflow code cannot use Node modules (deterministic sandbox): do this in an activity.',
        })),
        patterns: [
          {
            regex: '^node:',
            message: 'Workflow code cannot use Node modules (deterministic sandbox): do this in an activity.',
          },
          {
            regex: `(^|/)services(/(?!(${WORKFLOW_SAFE_SERVICES.join('|')})$).+)?$`,
            message: `The services open a SQLite ledger: workflow code may import only ${WORKFLOW_SAFE_SERVICES.map((m) => `services/${m}`).join(' and ')} (pure), or use \`import type\`.`,
            allowTypeImports: true,
          },
          {
            regex: '^(\\.\\./)+(tests|scripts)(/|$)',
            message: 'Lesson code may not import the test harness or the command-line tools.',
          },
          ...extra,
          {
            regex: '(^|/)activities$',
            message: 'Call activities through proxyActivities; import their types only (`import type`).',
            allowTypeImports: true,
          },
        ],
      },
    ],
  };
}

export default tseslint.config(
  {
    // What git ignores: scratch copies, caches and run data.
    ignores: [
      'node_modules/',
      'dist/',
      '.variant-*/',
      '.tmp-*/',
      '.grade/',
      '.data/',
      '.temporal/',
      'tests/fixtures/histories/',
      'docs/images/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits: in workflow code the next step starts at once and a failure is never seen.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected (`if (promise)`, an async event handler).
      '@typescript-eslint/no-misused-promises': 'error',
      // `await` on something that is not a promise: usually a call that was meant to be async.
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Observations of Temporal payloads and histories are typed loosely on purpose in a few places.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The layers, one way only: services and common at the bottom, the lessons (original/, solution/,
  // exercises/) on them, the test harness (tests/) above, the command-line tools (scripts/) on top.
  layer(['services/**/*.ts'], ['common', 'original', 'solution', 'exercises', 'tests', 'scripts']),
  layer(['common/**/*.ts'], ['original', 'solution', 'exercises', 'tests', 'scripts']),
  // A lesson stands alone: its folder imports only common/ and services/, never another lesson's folder
  // (an exercise never reads a solution).
  layer(
    ['original/**/*.ts', 'solution/**/*.ts', 'exercises/**/*.ts'],
    ['original', 'solution', 'exercises', 'tests', 'scripts'],
    [OTHER_LESSON],
  ),
  layer(['tests/**/*.ts'], ['scripts']),
  // The commands sit on top, yet a learner command does not reach into tests/: what it runs on lives
  // below scripts/ (common/, common/kit/), so the harness and the tests can change without breaking a
  // command. The grader's front end runs the criteria; the maintainer tools drive the harness itself.
  layer(['scripts/**/*.ts'], [], [NO_TESTS], ['scripts/grade.ts', 'scripts/maintainer/**']),
  layer(['scripts/grade.ts'], [], [ONLY_CRITERIA]),
  // Workflow code runs in Temporal's deterministic sandbox: every run and every replay must make the
  // same calls in the same order. Node built-ins (files, network, clocks, randomness) and the services
  // (a SQLite ledger) are not available there; activities are called through proxyActivities, so
  // workflow files may import them only as `import type`.
  { files: ['**/workflows/**/*.ts', '**/workflows.ts'], rules: workflowRules([]) },
  // … and a lesson's workflow code, like the rest of the lesson, never reaches into another lesson.
  {
    files: ['{original,solution,exercises}/**/workflows/**/*.ts', '{original,solution,exercises}/**/workflows.ts'],
    rules: workflowRules(LESSON_PATTERNS),
  },
  {
    // The starters are incomplete on purpose: they import and declare what the learner is about to use.
    files: ['exercises/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', 'no-useless-catch': 'off', 'prefer-const': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
