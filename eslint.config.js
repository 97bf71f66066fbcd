import path from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom. A module imports from its own layer and the layers below
 * it, never from a layer above nor from a neighbour on its own row. README.md (Architecture)
 * draws this table; the rules below are generated from it.
 */
export const LAYERS = [
  ['main.tsx', 'bench'],
  ['automation.ts', 'ui'],
  ['state'],
  ['workers'],
  ['pretrained', 'tracking'],
  ['export'],
  ['tune'],
  ['backend'],
  ['engine'],
  ['train'],
  ['model', 'data', 'draw', 'pwa', 'studioError.ts'],
];

const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

/** One zone per layer: the layers above it and its neighbours are out of bounds. */
const layerZones = LAYERS.flatMap((row, rank) =>
  row.map((layer) => ({
    target: `src/${layer}`,
    from: [...LAYERS.slice(0, rank).flat(), ...row.filter((other) => other !== layer)].map((name) => `src/${name}`),
    message: `src/${layer} imports only from the layers below it (LAYERS in eslint.config.js).`,
  })),
).filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report', 'runs', '**/*.js', '**/*.mjs', 'src/engine/cpu/assembly', 'src/engine/cpu/wasmBinaries.generated.ts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'scripts/**/*.ts', 'e2e/**/*.ts'],
    // Nothing imports a test, so no cycle runs through one (and skipping them saves lint time).
    ignores: TESTS,
    plugins: { 'import-x': importX },
    settings: {
      // Without it import-x reads only .js modules and follows no TypeScript import.
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: path.join(import.meta.dirname, 'tsconfig.json') })],
    },
    rules: {
      // Type-only imports are erased at build time and are not followed.
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Tests sit above every layer (nothing imports them) and may use the command-line tools' helpers.
    files: ['src/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [...layerZones, { target: 'src', from: ['scripts', 'e2e'], message: 'src/ runs in the browser and never imports scripts/ or e2e/.' }],
        },
      ],
    },
  },
);
