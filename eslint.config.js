// ESLint flat config: the recommended rules (not type-aware, so `eslint .` stays fast) plus the
// import boundaries that keep each folder runnable where it has to run:
//   common       — the pure layer under everything (filter syntax, wire JSON, seeded numbers): it
//                  runs in Node, in the page and in the sandboxed preload, so it imports only its
//                  own files — no Node, no DOM, no package, nothing of ours; everyone may import it
//   electron/engine, electron/cli, electron/serve — plain Node: never `electron`
//   electron/app — Electron objects arrive as parameters (type-only imports), so the modules load
//                  under plain Node for unit tests; runtime `electron` belongs in electron/main.ts
//   renderer     — a web page: no Node built-ins, no `electron`, nothing from electron/ except
//                  type-only imports of the engine's types (what the contract re-exports)
//   preload      — a sandboxed single-file bundle: only `electron`, the contract and common/ at run
//                  time; the contract itself (imported by the renderer too) only type-imports
//                  anything but common/
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

// eslint:recommended without @eslint/js (not installed): the same selection, read from the
// rules' own metadata.
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);

const NODE_BUILTINS = [...new Set(builtinModules.filter((m) => !m.startsWith('_')))];

// Globals of plain .js files run by Node (TypeScript files get no-undef from the compiler).
const NODE_GLOBALS = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'fetch',
    'AbortController', 'TextEncoder', 'TextDecoder', 'globalThis',
  ].map((g) => [g, 'readonly']),
);

// Whatever git ignores, ESLint skips too — above all bench/.cache, whose generated stores hold
// millions of files that ESLint would otherwise walk. (gitignore → flat-config glob: a pattern
// with no inner slash matches at any depth.)
function gitignored(file) {
  let text;
  try {
    text = readFileSync(new URL(file, import.meta.url), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = negated ? line.slice(1) : line;
      const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
      const glob = anchored ? pattern.replace(/^\//, '') : `**/${pattern}`;
      return negated ? `!${glob}` : glob;
    });
}

const noElectron = {
  regex: '^electron(/|$)',
  message: 'This code runs in plain Node (CLI, browser bridge, tests): it must never import electron.',
};

const RENDERER_BUILTIN_PATHS = NODE_BUILTINS.map((name) => ({
  name,
  message: 'The renderer is a web page: no Node built-ins (ask the backend through the contract).',
}));
const RENDERER_PATTERNS = [
  { regex: '^node:', message: 'The renderer is a web page: no Node built-ins (ask the backend through the contract).' },
  { regex: '^electron(/|$)', message: 'The renderer never imports electron: use bridge/client.ts.' },
  {
    // Types of the engine's model travel through the contract; importing them is free.
    regex: '^(\\.\\./)+electron/engine/',
    allowTypeImports: true,
    message: 'The renderer may only `import type` from the engine (its code runs in Node).',
  },
  {
    regex: '^(\\.\\./)+electron/(?!engine/)',
    message: 'The renderer never imports main-process code.',
  },
];

// ── The layer table ──────────────────────────────────────────────────────────────────────────
// Who may import whom, written once as data (the idea of VS Code's code-layering rule) and turned
// into no-restricted-imports entries below; tests/electron/lint-boundaries.test.ts checks each row.
// Under everything: common/ (pure, imports only itself; every other layer may import it).
// Main process: engine → backend (the contract over the engine) → hosts (electron/cli, serve, app,
// main.ts). Renderer, bottom to top:
//   lib, charts, ui, core, bridge — side by side on the contract, none imports another
//   state    — the store, its slices and the loaders the app-level actions drive: core, lib, bridge
//   features — one flat folder each: state, core, ui, lib, charts, never another feature
//   App.tsx, main.tsx — compose the features
// and the bridge client is called only from state and from a feature's *-loader.ts.
const RENDERER_BASE = ['lib', 'charts', 'ui', 'core', 'bridge'];
const LAYER_TARGETS = {
  outsideCommon: {
    regex: '^(?!\\./)',
    message: 'Layers: common/ is the pure layer under everything (Node, the page, the preload): it imports only its own files (./…) — no Node, no DOM, no package, nothing of ours.',
  },
  backend: {
    regex: '^\\.\\.?/(.*/)?backend/',
    message: 'Layers: the engine sits below the backend (the contract over the engine) and never imports electron/engine/backend/.',
  },
  hosts: {
    regex: '^\\.\\.?/(.*/)?((cli|serve|app)/|main(\\.ts)?$)',
    message: 'Layers: the hosts (electron/cli, electron/serve, electron/app, electron/main.ts) sit on top; the engine and the backend never import them.',
  },
  state: {
    regex: '^(\\.\\./)+state/',
    message: 'Layers: renderer lib, charts, ui, core and the bridge sit under the state and never import it.',
  },
  features: {
    regex: '^(\\.\\./)+features/',
    message: 'Layers: the features sit on top of the renderer; only App.tsx composes them.',
  },
  stateSees: {
    regex: '^(\\.\\./)+(ui|charts)/',
    message: 'Layers: the state sees core, lib and the bridge; components and charts sit above it.',
  },
  otherFeature: {
    regex: '^\\.\\./[^./]',
    message: 'Layers: a feature never imports another feature. Shared code goes down (core, ui, lib, state); App.tsx puts features side by side.',
  },
  bridgeClient: {
    regex: '(^|/)bridge/client(\\.ts)?$',
    message: 'Layers: only the state and *-loader.ts files call the bridge client; a component asks its loader.',
  },
  ...Object.fromEntries(
    RENDERER_BASE.map((dir) => [
      dir,
      {
        regex: `^(\\.\\./)+${dir}/`,
        message: 'Layers: renderer lib, charts, ui, core and the bridge stand side by side on the contract and never import one another.',
      },
    ]),
  ),
};
const RENDERER = { base: RENDERER_PATTERNS, typed: true };
const LAYERS = [
  { layer: 'common', files: ['common/**'], base: [], forbid: ['outsideCommon'] },
  { layer: 'engine', files: ['electron/engine/**'], ignores: ['electron/engine/backend/**'], base: [noElectron], forbid: ['backend', 'hosts'] },
  { layer: 'backend', files: ['electron/engine/backend/**'], base: [noElectron], forbid: ['hosts'] },
  ...RENDERER_BASE.map((dir) => ({
    layer: `renderer ${dir}`,
    files: [`renderer/src/${dir}/**`],
    forbid: ['state', 'features', ...RENDERER_BASE.filter((d) => d !== dir)],
    ...RENDERER,
  })),
  { layer: 'renderer state', files: ['renderer/src/state/**'], forbid: ['features', 'stateSees'], ...RENDERER },
  { layer: 'renderer feature', files: ['renderer/src/features/**'], ignores: ['renderer/src/features/**/*-loader.ts'], forbid: ['otherFeature', 'features', 'bridgeClient'], ...RENDERER },
  { layer: 'renderer feature loader', files: ['renderer/src/features/**/*-loader.ts'], forbid: ['otherFeature', 'features'], ...RENDERER },
  { layer: 'renderer shell', files: ['renderer/src/*.{ts,tsx}'], forbid: ['bridgeClient'], ...RENDERER },
];
const COMMON_FORBIDDEN_GLOBALS = [
  ...['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({
    name,
    message: 'common/ runs in the page and the preload too: no Node globals.',
  })),
  ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'self', 'HTMLElement', 'WebSocket', 'requestAnimationFrame'].map(
    (name) => ({ name, message: 'common/ runs in Node too (engine, CLI, serve): no DOM.' }),
  ),
];
function layerConfigs() {
  return LAYERS.map((l) => {
    const patterns = [...l.base, ...l.forbid.map((t) => LAYER_TARGETS[t])];
    const rules = l.typed
      ? { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': ['error', { paths: RENDERER_BUILTIN_PATHS, patterns }] }
      : { 'no-restricted-imports': ['error', { patterns }] };
    return { name: `layers/${l.layer}`, files: l.files, ...(l.ignores ? { ignores: l.ignores } : {}), rules };
  });
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'release/',
      'coverage/',
      'test-results/',
      'playwright-report/',
      'bench/results/',
      'bench/.cache/',
      '.tmp/',
      ...gitignored('./.gitignore'),
    ],
  },
  { files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}'], rules: eslintRecommended },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    rules: {
      // New in eslint:recommended 10; here it only flags defensive initialisers (`let ok = false`
      // before a try that assigns it, a hot loop's `let c = 0`), never a real dead store.
      'no-useless-assignment': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  {
    // Parser tests feed deliberately over-precise literals (20-digit timestamps) to check rounding.
    files: ['tests/**'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Playwright fixtures must destructure their first argument, even when they need nothing: `async ({}, use)`.
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': 'off' },
  },

  // ── Import boundaries ──────────────────────────────────────────────────────────────────────
  {
    files: ['electron/engine/**', 'electron/cli/**', 'electron/serve/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron] }] },
  },
  {
    files: ['electron/app/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/|$)',
              allowTypeImports: true,
              message:
                'electron/app modules take Electron objects as parameters (import type only) so they stay unit-testable under plain Node; runtime electron imports belong in electron/main.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Page code only: renderer/vite.config.ts is build tooling and runs in Node.
    files: ['renderer/src/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: RENDERER_BUILTIN_PATHS,
          patterns: RENDERER_PATTERNS,
        },
      ],
    },
  },
  {
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$)(?!\\./api(\\.ts)?$)(?!\\.\\./common/)',
              allowTypeImports: true,
              message:
                'The sandboxed preload is one CommonJS bundle that may require only electron, the contract (./api.ts) and the pure common/ layer; type-only imports are fine.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is bundled into the renderer as well as the preload: run-time imports of nothing.
    files: ['preload/api.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.\\./common/)',
              allowTypeImports: true,
              message: 'preload/api.ts is shared by the renderer and the preload: type-only imports only (but for the pure common/ layer).',
            },
          ],
        },
      ],
    },
  },
  // The layer table's rows come last: for their files they replace the broader entries above.
  ...layerConfigs(),
  {
    // Imports are the table's job; the host objects of one side are this one's. The web typecheck
    // (types: []) already rejects Node's, but the Node program sees DOM types through test
    // dependencies, so both sides are named here.
    files: ['common/**'],
    rules: { 'no-restricted-globals': ['error', ...COMMON_FORBIDDEN_GLOBALS] },
  },
);
