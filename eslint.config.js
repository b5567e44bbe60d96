// Lint = a few correctness rules plus the layering of docs/ARCHITECTURE.md §2, stated as
// import restrictions per folder. tsconfig `types: []` already stops node globals in the
// engine core; these rules also stop imports that would type-check but cross a layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'worker_threads', 'url', 'crypto', 'events', 'stream', 'util'];

/** Patterns that no file in the engine core may import. */
const notInCore = [
  { group: nodeBuiltins, message: 'engine core must not depend on Node: put IO in engine/connectors or engine/process.' },
  { group: ['electron', 'electron/*'], message: 'engine core must not depend on Electron.' },
  { group: ['**/app/**', '**/connectors/**', '**/process/**'], message: 'engine core imports only engine/{api,plan,runtime,state,checkpoint}.' },
];

/** Layer → folders it must not import, beyond the core-wide rule. */
const coreLayers = {
  plan: ['**/api/**', '**/runtime/**', '**/state/**', '**/checkpoint/**'],
  state: ['**/api/**', '**/runtime/**', '**/checkpoint/**'],
  runtime: ['**/api/**', '**/checkpoint/**'],
  checkpoint: ['**/api/**'],
  api: [],
  // The SQL layer plans onto the DataStream API; nothing below it imports SQL.
  sql: ['**/checkpoint/**'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-this-alias': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.entries(coreLayers).map(([layer, extra]) => ({
    files: [`engine/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...notInCore, ...(extra.length ? [{ group: extra, message: `engine/${layer} must not import this layer (docs/ARCHITECTURE.md §2).` }] : [])],
      }],
    },
  })),
  {
    files: ['app/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'app/shared holds contracts only: no Node.' },
          { group: ['electron', '**/engine/**', '**/main/**', '**/renderer/**', '**/host/**', '**/kernel/**', '**/cli/**'], message: 'app/shared holds contracts only.' },
        ],
      }],
    },
  },
  {
    files: ['app/renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'the renderer is DOM only: reach Node through the preload bridge.' },
          { group: ['electron', '**/main/**', '**/host/**', '**/kernel/**', '**/cli/**', '**/engine/connectors/**', '**/engine/process/**'], message: 'the renderer talks to the host through app/shared contracts.' },
        ],
      }],
    },
  },
  {
    // The kernel process (app/kernel/process) runs beside the host and is held to the same rules.
    files: ['app/host/**/*.ts', 'app/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'app/host runs in Electron\'s utility process and in weir serve alike: no Electron.' },
          { group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'], message: 'app/host serves those layers; it does not import them.' },
        ],
      }],
    },
  },
  {
    files: ['app/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'a sandboxed preload has no Node modules.' },
          { group: ['**/engine/**', '**/host/**', '**/kernel/**', '**/cli/**', '**/main/**', '**/renderer/**'], message: 'the preload only bridges app/shared contracts to Electron IPC.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
