// The `runsight` command as a CI job gets it: `npm pack` (which builds the CLI bundle through
// `prepack`), the tarball installed into an empty project from the registry-reachable npm, and the
// installed bin run there — `npx runsight --help`, a real `inspect` of a file and a SQLite store,
// and `serve` finding the renderer the package ships.
// Slow by nature (a build and an `npm install`): one install shared by the checks below.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, repoRoot, tempDir } from './helpers/fixtures.ts';

// The Node this suite runs on (the project's v24) first on PATH, as `actions/setup-node` puts its
// Node first: npm, npx and the bin's `#!/usr/bin/env node` all resolve to it.
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

let tmp: { dir: string; cleanup: () => Promise<void> };
let project: string;
let packed: string[];

beforeAll(async () => {
  tmp = await tempDir('runsight-pack-');
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', tmp.dir], repoRoot), 'npm pack');
  // prepack's own output precedes the JSON on stdout.
  const info = JSON.parse(out.slice(out.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  packed = (info[0]?.files ?? []).map((f) => f.path);
  project = path.join(tmp.dir, 'ci-project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify({ name: 'ci-project', private: true, version: '1.0.0' })}\n`);
  ok(run('npm', ['install', '--no-audit', '--no-fund', path.join(tmp.dir, info[0]?.filename as string)], project), 'npm install <tgz>');
  await cp(fixturePath('seed-rf'), path.join(project, 'seed-rf'), { recursive: true });
  await cp(fixturePath('kitchen-sink-sqlite'), path.join(project, 'kitchen-sink-sqlite'), { recursive: true });
}, 600_000);

afterAll(async () => {
  await tmp?.cleanup();
});

describe('the packed runsight package', () => {
  it('ships the bin, the built CLI and the renderer, and no sources or tests', () => {
    expect(packed).toContain('bin/runsight.js');
    expect(packed).toContain('dist/cli/main.js');
    expect(packed).toContain('dist/cli/load-worker.js');
    expect(packed).toContain('dist/cli/sqlite-load-worker.js');
    expect(packed).toContain('dist/cli/mlflow-3.5-schema.sql');
    expect(packed).toContain('out/renderer/index.html');
    expect(packed).toContain('package.json');
    expect(packed.filter((p) => /^(electron|tests|e2e|renderer|scripts|bench)\//.test(p) || p.endsWith('.ts'))).toEqual([]);
    // Only runtime dependencies were installed beside it.
    const installed = readdirSync(path.join(project, 'node_modules'));
    expect(installed).toContain('sql.js');
    expect(installed).not.toContain('vite');
    expect(installed).not.toContain('electron');
  });

  it('npx runsight --help works in the empty project', () => {
    const r = run('npx', ['--no', '--', 'runsight', '--help'], project);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: runsight <command>');
    expect(r.stderr).toBe('');
    // Every command module is in the bundle (they are loaded lazily, one chunk each).
    for (const cmd of ['registry', 'report', 'runs', 'best', 'promote']) {
      const sub = run('npx', ['--no', '--', 'runsight', cmd, '--help'], project);
      expect(sub.status, `${cmd}: ${sub.stderr}`).toBe(0);
      expect(sub.stdout).toContain(`Usage: runsight ${cmd}`);
    }
  });

  it('runsight inspect reads a file store and a SQLite store there', async () => {
    const human = run('npx', ['--no', '--', 'runsight', 'inspect', 'seed-rf'], project);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/RandomForest Experiment\s+—\s+16 runs/);
    const sqlite = run('npx', ['--no', '--', 'runsight', 'inspect', 'kitchen-sink-sqlite', '--json'], project);
    expect(sqlite.status, sqlite.stderr).toBe(0);
    // No "SQLite is experimental" line or anything else on stderr.
    expect(sqlite.stderr).toBe('');
    const out = JSON.parse(sqlite.stdout) as { stores: { kind: string; experiments: unknown[] }[] };
    expect(out.stores.map((s) => s.kind)).toEqual(['sqlite']);
    expect(out.stores[0]?.experiments.length).toBeGreaterThan(3);
  });

  it("the stores' helper threads load from the installed bundle (a broken one would only make big stores slow)", () => {
    // Each started as the readers start them, on a store of the project; each must run to 'done'.
    const dist = path.join(project, 'node_modules/runsight/dist/cli');
    const probe = (file: string, workerData: string) => {
      const script = path.join(tmp.dir, `probe-${file}.mjs`);
      writeFileSync(
        script,
        `import { Worker } from 'node:worker_threads';
         const w = new Worker(${JSON.stringify(path.join(dist, file))}, { workerData: ${workerData} });
         const kinds = [];
         w.on('message', (m) => kinds.push(m.kind ?? Object.keys(m)[0]));
         w.on('error', (e) => { console.error(e.message); process.exit(1); });
         w.on('exit', () => console.log(JSON.stringify(kinds)));\n`,
      );
      return run(process.execPath, [script], project);
    };
    const sqlite = probe('sqlite-load-worker.js', JSON.stringify({ path: path.join(project, 'kitchen-sink-sqlite', 'mlflow.db'), batch: 500 }));
    expect(sqlite.status, sqlite.stderr).toBe(0);
    expect(JSON.parse(sqlite.stdout)).toEqual(['ids', 'batch', 'baseline', 'done']);
    const file = probe('load-worker.js', `{ kind: 'sign', dirs: [${JSON.stringify(path.join(project, 'seed-rf'))}], batch: 64, counter: new SharedArrayBuffer(8), notBefore: 0 }`);
    expect(file.status, file.stderr).toBe(0);
    expect(JSON.parse(file.stdout)).toEqual(['batch', 'done']);
  });

  it('runsight serve finds the shipped renderer in the installed package', async () => {
    const bin = path.join(project, 'node_modules/runsight/bin/runsight.js');
    const child = spawn(process.execPath, [bin, 'serve', 'seed-rf', '--port', '0', '--token', 'pack-test'], { cwd: project, env: { ...env, RUNSIGHT_CONFIG_DIR: path.join(tmp.dir, 'config') } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<!doctype html>');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('on a Node without node:sqlite the bin says which Node it needs (exit 2), not a stack trace', () => {
    const bin = path.join(project, 'node_modules/runsight/bin/runsight.js');
    const r = run(process.execPath, ['--no-experimental-sqlite', bin, '--help'], project);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/needs Node\.js 22\.13 or newer .*node:sqlite/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
