// mlflow.db in a folder the reader cannot write to (a read-only mount, another user's project).
// A WAL database needs its -shm file to be read live; see open-database.ts for what SQLite does.
// The reader runs in a child process: as uid 65534 when the tests run as root (root would
// bypass the permission bits), otherwise as the current user with the folder chmod'ed 0555.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturePath, repoRoot, tempDir } from '../helpers/fixtures.ts';
import { MlflowLikeWriter } from '../helpers/sqlite-fixtures.ts';

const fixtureDb = path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');
const child = path.join(repoRoot, 'tests/helpers/sqlite-readonly-child.ts');
const asRoot = process.getuid?.() === 0;
const NEW_RUN = 'cafebabecafebabecafebabecafebabe';

interface Reply {
  runs: string[];
  problems: string[];
  probe?: { ok: boolean };
}

class ReaderProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(dbFile: string) {
    const cmd = asRoot
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, child, dbFile]
      : [process.execPath, child, dbFile];
    this.proc = spawn(cmd[0] as string, cmd.slice(1), { stdio: 'pipe' });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Reply> {
    const r = await this.lines.next();
    if (r.done) throw new Error('reader process ended early');
    return JSON.parse(r.value) as Reply;
  }

  async refresh(): Promise<Reply> {
    this.proc.stdin.write('refresh\n');
    return this.next();
  }

  async end(): Promise<void> {
    this.proc.stdin.end('exit\n');
    await new Promise((resolve) => this.proc.once('close', resolve));
  }
}

describe('SQLite reader: database in a read-only folder', () => {
  let base: string;
  let folder: string;
  let db: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir: base, cleanup } = await tempDir('runsight-sqlite-ro-'));
    chmodSync(base, 0o755); // the other user must be able to reach the folder
    folder = path.join(base, 'project');
    mkdirSync(folder);
    db = path.join(folder, 'mlflow.db');
  });

  afterEach(async () => {
    chmodSync(folder, 0o755);
    await cleanup();
  });

  const lockFolder = (): void => {
    for (const f of readdirSync(folder)) chmodSync(path.join(folder, f), 0o444);
    chmodSync(folder, 0o555);
  };

  /** A WAL database whose last commit (a new run) is only in -wal, as after a crash. */
  const walWithPendingLog = (withShm: boolean): void => {
    const staging = path.join(base, 'staging');
    mkdirSync(staging);
    const src = path.join(staging, 'mlflow.db');
    copyFileSync(fixtureDb, src);
    chmodSync(src, 0o644);
    const w = new MlflowLikeWriter(src);
    w.db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0');
    w.createRun(NEW_RUN, '1', 'only-in-wal', 1800000000000);
    copyFileSync(src, db);
    copyFileSync(`${src}-wal`, `${db}-wal`);
    if (withShm) copyFileSync(`${src}-shm`, `${db}-shm`);
    w.close();
  };

  it('reads a rollback-journal database (MLflow default) and creates nothing', async () => {
    copyFileSync(fixtureDb, db);
    lockFolder();
    const p = new ReaderProcess(db);
    const r = await p.next();
    await p.end();
    expect(r.problems).toEqual([]);
    expect(r.runs).toHaveLength(28);
    expect(readdirSync(folder)).toEqual(['mlflow.db']);
  });

  it('reads a clean WAL database as a snapshot, then live once a writer appears', async () => {
    copyFileSync(fixtureDb, db);
    chmodSync(db, 0o644);
    const setup = new DatabaseSync(db);
    setup.exec('PRAGMA journal_mode = WAL');
    setup.close(); // last connection: SQLite checkpoints and removes -wal/-shm
    expect(readdirSync(folder)).toEqual(['mlflow.db']);
    lockFolder();

    const p = new ReaderProcess(db);
    const first = await p.next();
    expect(first.runs).toHaveLength(28);
    expect(first.problems).toEqual([expect.stringMatching(/WAL mode and its folder is not writable.*snapshot/)]);
    expect(first.probe?.ok).toBe(true);
    expect(readdirSync(folder)).toEqual(['mlflow.db']);

    // MLflow (a user who may write there) starts logging: -wal and -shm appear.
    chmodSync(folder, 0o755);
    chmodSync(db, 0o644);
    const w = new MlflowLikeWriter(db);
    w.db.exec('PRAGMA wal_autocheckpoint = 0');
    w.createRun(NEW_RUN, '1', 'live', 1800000000000);
    if (!asRoot) chmodSync(folder, 0o555);
    const change = await p.refresh();
    w.close();
    await p.end();
    expect(change.runs).toEqual([NEW_RUN]);
    expect(change.problems).toEqual([]);
  });

  it('reads commits that are only in -wal when -shm exists, even read-only', async () => {
    walWithPendingLog(true);
    lockFolder();
    const p = new ReaderProcess(db);
    const r = await p.next();
    await p.end();
    expect(r.problems).toEqual([]);
    expect(r.runs).toHaveLength(29);
    expect(r.runs).toContain(NEW_RUN);
  });

  it('reports a WAL database whose -shm is missing instead of crashing', async () => {
    walWithPendingLog(false);
    lockFolder();
    const p = new ReaderProcess(db);
    const r = await p.next();
    await p.end();
    expect(r.runs).toEqual([]);
    expect(r.problems).toEqual([expect.stringMatching(/mlflow\.db-shm is missing and the folder is not writable/)]);
    expect(r.probe?.ok).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['mlflow.db', 'mlflow.db-wal']);
  });
});
