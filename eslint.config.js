// Lint rules, including STYLE.md's layer rules: pure rooms never import I/O rooms or the CLI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureRooms = ['core/model/**', 'core/bundle/**', 'core/planner/**'];
// Rooms that never import agents/ (DESIGN §3): the machine contract they need is in core/model.
const agentFreeRooms = [
  'core/store/**',
  'core/charm/**',
  'core/interfaces/**',
  'core/dashboard/**',
];
// The composition root: the only modules of core/controller that wire agents/ in.
const compositionRoot = ['core/controller/controller.ts', 'core/controller/wiring.ts'];
const noAgents = {
  group: ['**/agents/**'],
  message:
    'Only the composition root (core/controller/controller.ts, wiring.ts) imports agents/; ' +
    'the machine contract is in core/model (DESIGN §3).',
};
const noCli = { group: ['**/cli/**'], message: 'Nothing imports core/cli (STYLE.md).' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use string-literal unions (STYLE.md).' },
      ],
    },
  },
  {
    files: pureRooms,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/agents/**', '**/core/cli/**', '**/cli/**'],
              message: 'Pure rooms import nothing from agents/ or core/cli (STYLE.md).',
            },
            {
              group: [
                'node:fs',
                'node:fs/*',
                'node:child_process',
                'node:net',
                'fs',
                'child_process',
              ],
              message: 'Pure rooms hold no I/O (STYLE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['core/**', 'agents/**', 'charms/**'],
    ignores: ['core/cli/**', ...pureRooms, ...agentFreeRooms, 'core/controller/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCli] }] },
  },
  {
    files: [...agentFreeRooms, 'core/controller/**'],
    ignores: compositionRoot,
    rules: { 'no-restricted-imports': ['error', { patterns: [noCli, noAgents] }] },
  },
  {
    files: compositionRoot,
    rules: { 'no-restricted-imports': ['error', { patterns: [noCli] }] },
  },
  {
    files: ['charms/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/agents/**'],
              message:
                'Charms import only the SDK, by package name: rune/charm and rune/interfaces (STYLE.md).',
            },
            {
              group: ['rune/testing'],
              message:
                'rune/testing is for tests; charm code imports rune/charm and rune/interfaces.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard's browser code: it runs in the page, so nothing of Node, agents or the CLI.
    files: ['core/dashboard/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noCli,
            noAgents,
            {
              group: ['node:*', '**/controller/**', '**/store/**'],
              message:
                'Browser code imports only the page libraries and core/dashboard/types.ts (issue 17).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
