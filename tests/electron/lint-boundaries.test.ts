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

  it('the layer table: engine below backend below the hosts; renderer lib, charts and bridge below state and features', async () => {
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
    // Renderer: lib, charts and the bridge do not know the state or the features …
    for (const f of ['renderer/src/lib/x.ts', 'renderer/src/charts/x.ts', 'renderer/src/bridge/x.ts']) {
      expect(await restricted(f, `import { x } from '../state/store.ts';\n${one}`)).toHaveLength(1);
      expect(await restricted(f, `import { x } from '../features/compare/brush.ts';\n${one}`)).toHaveLength(1);
      expect(await restricted(f, "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
      expect(await restricted(f, `import { x } from './other.ts';\n${one}`)).toEqual([]);
    }
    // … while a feature uses the state.
    expect(await restricted('renderer/src/features/x/y.ts', `import { x } from '../../state/store.ts';\n${one}`)).toEqual([]);
  });
});
