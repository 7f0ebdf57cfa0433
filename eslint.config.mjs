// The linter: ESLint's and typescript-eslint's recommended rules (no type information: fast enough for
// every `npm test`), a 160-column limit on code (strings, templates and regular expressions may run
// longer: a message is not split mid-sentence), and Node's globals.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = [
  'process',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'console',
  'Buffer',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'performance',
  'AbortController',
  'AbortSignal',
  'TextDecoder',
  'TextEncoder',
  'WebAssembly',
  'URL',
  'structuredClone',
  'NodeJS',
  'queueMicrotask',
  'SharedArrayBuffer',
  'Atomics',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: Object.fromEntries(NODE_GLOBALS.map((g) => [g, 'readonly'])) },
    rules: {
      'max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      // `_name` marks a deliberately unused binding (a destructured field left out)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // plain CommonJS entry points
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
