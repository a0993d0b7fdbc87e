// The import boundaries in eslint.config.js, checked by linting snippets as if they lived in each
// folder: a rule that silently stopped matching would otherwise go unnoticed.
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => /no-restricted-imports/.test(m.ruleId ?? '') || m.fatal)
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it('engine, CLI and browser bridge never import electron', async () => {
    for (const file of ['electron/engine/x.ts', 'electron/cli/x.ts', 'electron/serve/x.ts']) {
      expect(await restricted(file, "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
      expect(await restricted(file, "import type { App } from 'electron/main';\nexport type A = App;\n")).toHaveLength(1);
      expect(await restricted(file, "import path from 'node:path';\nexport const p = path;\n")).toEqual([]);
    }
  });

  it('electron/app imports electron for types only', async () => {
    expect(await restricted('electron/app/x.ts', "import { shell } from 'electron';\nexport const s = shell;\n")).toHaveLength(1);
    expect(await restricted('electron/app/x.ts', "import type { Session } from 'electron';\nexport type S = Session;\n")).toEqual([]);
    expect(await restricted('electron/main.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });

  it('the renderer imports no Node, no electron, and engine types only', async () => {
    const f = 'renderer/src/features/x/y.ts';
    expect(await restricted(f, "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await restricted(f, "import fs from 'fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await restricted(f, "import { join } from 'path';\nexport const a = join;\n")).toHaveLength(1);
    expect(await restricted(f, "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toHaveLength(1);
    expect(await restricted(f, "import { Engine } from '../../../../electron/engine/engine.ts';\nexport const a = Engine;\n")).toHaveLength(1);
    expect(await restricted(f, "import type { Run } from '../../../../electron/engine/model.ts';\nexport type R = Run;\n")).toEqual([]);
    expect(await restricted(f, "import type { X } from '../../../../electron/app/ipc.ts';\nexport type Y = X;\n")).toHaveLength(1);
    expect(await restricted(f, "import type { Api } from '../../../../preload/api.ts';\nexport type A = Api;\n")).toEqual([]);
    // Build tooling next to the renderer runs in Node.
    expect(await restricted('renderer/vite.config.ts', "import path from 'node:path';\nexport const p = path;\n")).toEqual([]);
  });

  it('the preload loads only electron and the contract; the contract loads nothing', async () => {
    expect(await restricted('preload/index.ts', "import { contextBridge } from 'electron';\nimport { API_METHODS } from './api.ts';\nexport const a = [contextBridge, API_METHODS];\n")).toEqual([]);
    expect(await restricted('preload/index.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
    expect(await restricted('preload/index.ts', "import { x } from './helpers.ts';\nexport const a = x;\n")).toHaveLength(1);
    expect(await restricted('preload/index.ts', "import type { Run } from '../electron/engine/model.ts';\nexport type R = Run;\n")).toEqual([]);
    expect(await restricted('preload/api.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toHaveLength(1);
    expect(await restricted('preload/api.ts', "import type { Run } from '../electron/engine/model.ts';\nexport type R = Run;\n")).toEqual([]);
  });

  it('the layer table: engine below backend below the hosts', async () => {
    const one = "export const a = x;\n";
    // The engine never reaches up into the backend or a host …
    expect(await restricted('electron/engine/registry/x.ts', `import { x } from '../backend/index.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('electron/engine/x.ts', `import { x } from '../cli/main.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('electron/engine/x.ts', `import { x } from '../serve/server.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('electron/engine/x.ts', `import { x } from '../app/ipc.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('electron/engine/x.ts', `import { x } from '../main.ts';\n${one}`)).toHaveLength(1);
    // … and still never imports electron; its own modules are fine.
    expect(await restricted('electron/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restricted('electron/engine/registry/x.ts', `import { x } from '../errors.ts';\n${one}`)).toEqual([]);
    // The backend uses the engine, never a host.
    expect(await restricted('electron/engine/backend/report/x.ts', `import { x } from '../../engine.ts';\n${one}`)).toEqual([]);
    expect(await restricted('electron/engine/backend/x.ts', `import { x } from '../../cli/json-out.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('electron/engine/backend/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    // Hosts may use everything below them.
    expect(await restricted('electron/cli/x.ts', `import { x } from '../engine/backend/index.ts';\n${one}`)).toEqual([]);
  });

  it('the layer table: common is pure and imports only itself', async () => {
    const one = "export const a = x;\n";
    expect(await restricted('common/x.ts', `import { x } from './filter-syntax.ts';\n${one}`)).toEqual([]);
    // Nothing of ours, not even types: common sits under the engine, the contract and the renderer …
    for (const ours of ['../electron/engine/index/filter-parser.ts', '../preload/api.ts', '../renderer/src/core/column-keys.ts', '../tests/helpers/fixtures.ts']) {
      expect(await restricted('common/x.ts', `import { x } from '${ours}';\n${one}`)).toHaveLength(1);
      expect(await restricted('common/x.ts', `import type { x } from '${ours}';\nexport type A = typeof x;\n`)).toHaveLength(1);
    }
    // … and no Node, no electron, no package: it runs in Node, the page and the sandboxed preload.
    for (const dep of ['node:fs', 'fs', 'electron', 'react', 'zod']) {
      expect(await restricted('common/sub/x.ts', `import { x } from '${dep}';\n${one}`)).toHaveLength(1);
    }
    // Nor their host objects, which need no import.
    const globals = async (code: string) => {
      const [result] = await eslint.lintText(code, { filePath: 'common/x.ts' });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-globals' || m.fatal);
    };
    expect(await globals('export const a = process.env.HOME;\n')).toHaveLength(1);
    expect(await globals('export const a = Buffer.from([]);\n')).toHaveLength(1);
    expect(await globals('export const a = document.title;\n')).toHaveLength(1);
    expect(await globals('export const a = window.innerWidth;\n')).toHaveLength(1);
    expect(await globals('export const a = Math.imul(1, 2) + JSON.stringify([]).length;\n')).toEqual([]);
  });

  it('the layer table: every layer may import common', async () => {
    const one = "export const a = x;\n";
    const from = (file: string) => `${'../'.repeat(file.split('/').length - 1)}common/filter-syntax.ts`;
    for (const file of [
      'electron/engine/index/x.ts',
      'electron/engine/backend/x.ts',
      'electron/cli/x.ts',
      'electron/serve/x.ts',
      'electron/app/x.ts',
      'electron/main.ts',
      'preload/index.ts',
      'preload/api.ts',
      'renderer/src/lib/x.ts',
      'renderer/src/core/x.ts',
      'renderer/src/bridge/x.ts',
      'renderer/src/state/x.ts',
      'renderer/src/features/compare/x.tsx',
      'renderer/src/features/compare/compare-loader.ts',
      'renderer/src/App.tsx',
    ]) {
      expect(await restricted(file, `import { x } from '${from(file)}';\n${one}`), file).toEqual([]);
    }
    // The preload and the contract still load nothing else of ours at run time.
    expect(await restricted('preload/api.ts', `import { x } from '../electron/engine/errors.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('preload/index.ts', `import { x } from '../electron/engine/errors.ts';\n${one}`)).toHaveLength(1);
  });

  it('the layer table: renderer lib, charts, ui, core and bridge below the state, below the features', async () => {
    const one = "export const a = x;\n";
    const base = ['lib', 'charts', 'ui', 'core', 'bridge'];
    // The bottom row stands side by side on the contract: no state, no feature, none of the others …
    for (const dir of base) {
      const f = `renderer/src/${dir}/x.ts`;
      expect(await restricted(f, `import { x } from '../state/store.ts';\n${one}`)).toHaveLength(1);
      expect(await restricted(f, `import { x } from '../features/compare/brush.ts';\n${one}`)).toHaveLength(1);
      for (const other of base.filter((d) => d !== dir)) {
        expect(await restricted(f, `import { x } from '../${other}/y.ts';\n${one}`)).toHaveLength(1);
        expect(await restricted(`renderer/src/${dir}/sub/x.ts`, `import type { x } from '../../${other}/y.ts';\nexport type A = typeof x;\n`)).toHaveLength(1);
      }
      expect(await restricted(f, "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
      expect(await restricted(f, `import { x } from './other.ts';\n${one}`)).toEqual([]);
      expect(await restricted(f, "import type { Api } from '../../../preload/api.ts';\nexport type A = Api;\n")).toEqual([]);
    }
    // … the state sees core, lib and the bridge, never a feature, a component or a chart …
    const state = 'renderer/src/state/x.ts';
    expect(await restricted(state, `import { x } from '../features/runs-table/columns.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted(state, `import type { x } from '../features/compare/hooks.ts';\nexport type A = typeof x;\n`)).toHaveLength(1);
    expect(await restricted(state, `import { x } from '../ui/StatusBadge.tsx';\n${one}`)).toHaveLength(1);
    expect(await restricted(state, `import { x } from '../charts/Plot.tsx';\n${one}`)).toHaveLength(1);
    for (const ok of ['../core/selection.ts', '../lib/format.ts', '../bridge/client.ts', './store.ts']) {
      expect(await restricted(state, `import { x } from '${ok}';\n${one}`)).toEqual([]);
    }
    // … a feature sees the state and everything under it, never another feature …
    const feature = 'renderer/src/features/runs-table/x.tsx';
    for (const ok of ['../../state/store.ts', '../../core/column-keys.ts', '../../ui/controls.tsx', '../../lib/format.ts', '../../charts/palette.ts', './columns.ts']) {
      expect(await restricted(feature, `import { x } from '${ok}';\n${one}`)).toEqual([]);
    }
    expect(await restricted(feature, `import { x } from '../compare/compare-loader.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted(feature, `import type { x } from '../registry/registry-store.ts';\nexport type A = typeof x;\n`)).toHaveLength(1);
    expect(await restricted(feature, `import { x } from '../../features/compare/hooks.ts';\n${one}`)).toHaveLength(1);
    expect(await restricted('renderer/src/features/runs-table/group-loader.ts', `import { x } from '../compare/compare-loader.ts';\n${one}`)).toHaveLength(1);
    // … and only the state and the loaders call the bridge client: not a component, not App.tsx.
    const client = "import { call } from '../../bridge/client.ts';\nexport const a = call;\n";
    expect(await restricted('renderer/src/features/run-detail/ArtifactsBrowser.tsx', client)).toHaveLength(1);
    expect(await restricted('renderer/src/features/compare/hooks.ts', client)).toHaveLength(1);
    expect(await restricted('renderer/src/features/run-detail/artifacts-loader.ts', client)).toEqual([]);
    expect(await restricted('renderer/src/App.tsx', "import { on } from './bridge/client.ts';\nexport const a = on;\n")).toHaveLength(1);
    // App.tsx composes the features.
    expect(await restricted('renderer/src/App.tsx', `import { x } from './features/compare/ComparePanel.tsx';\nimport { y } from './features/registry/RegistryNav.tsx';\nexport const a = [x, y];\n`)).toEqual([]);
  });
});
