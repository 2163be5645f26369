// Lint: the import boundaries and `no-console` of DESIGN.md §2, strict TypeScript rules in core.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const folders = ['commands', 'scenarios', 'engine', 'shadow', 'sops', 'faults', 'watch', 'report', 'ui', 'demo'];
const everythingBut = (...allowed) =>
  folders
    .filter((folder) => !allowed.includes(folder))
    .map((folder) => `./src/${folder}`)
    .concat('./src/cli.ts', './src/io.ts');

/** Which folder may import which (DESIGN.md §2); `src/errors.ts`, `src/exit-codes.ts`, `src/seeded-random.ts`, `src/server-listen.ts` are shared by all. */
const boundaries = [
  { target: './src/scenarios', from: everythingBut('scenarios') },
  { target: './src/shadow', from: everythingBut('shadow') },
  { target: './src/faults', from: everythingBut('faults') },
  { target: './src/engine', from: everythingBut('engine', 'scenarios', 'shadow') },
  { target: './src/sops', from: everythingBut('sops', 'scenarios', 'engine', 'faults', 'shadow') },
  { target: './src/watch', from: everythingBut('watch', 'sops', 'scenarios') },
  { target: './src/report', from: everythingBut('report', 'scenarios', 'sops') },
  { target: './src/ui', from: everythingBut('ui', 'engine', 'sops', 'watch', 'scenarios') },
  { target: './src/demo', from: everythingBut('demo', 'shadow') },
];

const restrictedPackages = (allowedFor) => ({
  patterns: [
    { group: ['ink', 'ink/*', 'react', 'react/*'], message: `ink and react live only in src/ui (${allowedFor}).` },
    { group: ['ioredis'], message: 'ioredis lives only in src/shadow, src/sops, src/engine and src/demo.' },
    { group: ['undici', 'autocannon'], message: 'undici and autocannon live only in src/engine and the HTTP probes.' },
  ],
});

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'runs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: ['test/**', 'scripts/**', 'bench/**', '*.config.*'] }],
      'import-x/no-duplicates': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-console': 'error',
      'no-restricted-globals': ['error', { name: 'process', message: 'Only src/io.ts touches process: take what you need from Io.' }],
      'no-restricted-imports': ['error', restrictedPackages('everywhere else')],
      'import-x/no-restricted-paths': ['error', { zones: boundaries }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src/io.ts'], rules: { 'no-restricted-globals': 'off' } },
  { files: ['src/ui/**'], rules: { 'no-restricted-imports': ['error', { patterns: restrictedPackages('').patterns.slice(1) }] } },
  {
    files: ['src/engine/**', 'src/shadow/**', 'src/sops/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [restrictedPackages('').patterns[0]] }] },
  },
  // The demo is a user service: it talks HTTP (undici) and keeps its data in Redis (ioredis) through src/shadow.
  { files: ['src/demo/**'], rules: { 'no-restricted-imports': ['error', { patterns: [restrictedPackages('').patterns[0]] }] } },
  {
    // Core folders: no type assertions (`as const` stays allowed) — narrow with checks instead.
    files: ['src/scenarios/**', 'src/engine/**', 'src/shadow/**', 'src/sops/**', 'src/faults/**', 'src/watch/**', 'src/report/**'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
);
