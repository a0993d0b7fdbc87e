// createBackend(): the contract (preload/api.ts) implemented on top of the Engine. Every host
// wraps exactly this: Electron's IPC handlers, the browser bridge, tests. Arguments are validated
// here (whatever the transport), and every failure comes back as data: `{ok: false, error}`.
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  Api,
  ApiArgs,
  ApiError,
  ApiErrorCode,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiValue,
  HostKind,
  IndexProgressEvent,
  Result,
} from '../../../preload/api.ts';
import { API_EVENTS } from '../../../preload/api.ts';
import { Engine, EngineError, type EngineOptions } from '../engine.ts';
import { PathEscapeError } from '../fs/paths.ts';
import { countProblems } from '../model.ts';
import { RegistryService } from '../registry/index.ts';
import { readArtifactContent } from './artifact-content.ts';
import type { ReportPrinter } from './report/export.ts';
import type { ReportFormat } from './report/types.ts';
import { buildRunDetail } from './run-detail.ts';
import { parseArgs } from './validate.ts';

export const APP_VERSION = '0.1.0';

export interface BackendOptions extends EngineOptions {
  host: HostKind;
  /** Folder for settings (recent projects, user name). Electron: userData; browser: ~/.config/runsight. */
  configDir: string;
  /** Electron supplies the native dialog; the browser host has none. */
  pickFolder?: () => Promise<string | null>;
  /** Electron's save dialog for exported reports; without one (browser mode) reports are downloads. */
  pickSavePath?: (defaultName: string, format: ReportFormat) => Promise<string | null>;
  /** Electron prints reports with its own Chromium; elsewhere the system's headless Chromium. */
  reportPrinter?: ReportPrinter;
}

export interface Backend {
  call<M extends ApiMethod>(method: M, args: unknown): Promise<Result<ApiValue<M>>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  readonly engine: Engine;
  dispose(): Promise<void>;
}

interface Settings {
  recentProjects: string[];
  userName?: string;
}

export function defaultConfigDir(): string {
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'runsight');
}

/** Browser mode's cache folder (index snapshots): $XDG_CACHE_HOME/runsight, else ~/.cache/runsight. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'runsight');
}

export async function createBackend(options: BackendOptions): Promise<Backend> {
  const engine = await Engine.create(options);
  const settingsFile = path.join(options.configDir, 'settings.json');
  const progress = new Map<string, IndexProgressEvent>();
  engine.events.on('indexProgress', (p) => {
    if (p.phase === 'ready') progress.delete(p.storeId);
    else progress.set(p.storeId, p);
  });

  // Settings are read once and then kept (this backend owns the file): a read per call put
  // getStatus and openProject's answer behind libuv's pool, which a store's watcher start fills
  // with stats for seconds (1000-run store: openProject answered 0.15-0.7 s after the store was
  // ready). Writes go out in order in the background; dispose waits for them.
  let settingsCache: Promise<Settings> | null = null;
  let settingsWrites: Promise<void> = Promise.resolve();
  const copySettings = (s: Settings): Settings => ({ ...s, recentProjects: [...s.recentProjects] });

  function loadSettings(): Promise<Settings> {
    settingsCache ??= readSettings();
    return settingsCache.then(copySettings);
  }

  async function readSettings(): Promise<Settings> {
    try {
      const s = JSON.parse(await readFile(settingsFile, 'utf8')) as Partial<Settings>;
      return { recentProjects: Array.isArray(s.recentProjects) ? s.recentProjects.filter((p) => typeof p === 'string') : [], userName: s.userName };
    } catch {
      return { recentProjects: [] };
    }
  }

  // Registry writes name the settings' user (changeable in the app), else the OS account.
  const registry = new RegistryService(engine, {
    defaultUser: async () => (await loadSettings()).userName ?? os.userInfo().username,
  });

  // Report progress is the backend's own event (the engine knows nothing of reports).
  const reportEvents = new EventEmitter<{ reportProgress: [ApiEvents['reportProgress']] }>();
  // Loaded on the first report call: the report code (sharp, the CSV writer, plotly's bundle)
  // is ~130 ms of imports that opening a project never needs.
  let reportService: Promise<import('./report/service.ts').ReportService> | null = null;
  const reports = () =>
    (reportService ??= import('./report/service.ts').then(({ createReportService }) =>
      createReportService(engine, {
        version: APP_VERSION,
        user: async () => (await loadSettings()).userName ?? os.userInfo().username,
        pickSavePath: options.pickSavePath,
        printer: options.reportPrinter,
        progress: (p) => reportEvents.emit('reportProgress', p),
      }),
    ));

  function saveSettings(s: Settings): Promise<void> {
    const value = copySettings(s);
    settingsCache = Promise.resolve(value);
    const written = settingsWrites.then(() => writeSettings(value));
    settingsWrites = written.catch(() => undefined);
    return written;
  }

  async function writeSettings(s: Settings): Promise<void> {
    await mkdir(options.configDir, { recursive: true });
    const tmp = `${settingsFile}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(s, null, 2));
    await rename(tmp, settingsFile);
  }
  // Read while nothing else is using the pool.
  await loadSettings();

  const impl: Api = {
    async getStatus() {
      const settings = await loadSettings();
      return {
        host: options.host,
        version: APP_VERSION,
        project: engine.project,
        stores: engine.listStores(),
        generation: engine.currentGeneration,
        indexing: [...progress.values()],
        diagnosticsCount: countProblems(engine.diagnostics()),
        userName: settings.userName ?? os.userInfo().username,
      };
    },
    async openProject({ path: target }) {
      const result = await engine.openProject(target);
      const settings = await loadSettings();
      const abs = path.resolve(target);
      settings.recentProjects = [abs, ...settings.recentProjects.filter((p) => p !== abs)].slice(0, 10);
      // Listed at once (the cache); the file follows without holding the answer.
      void saveSettings(settings).catch(() => undefined);
      return result;
    },
    async pickFolder() {
      return { path: options.pickFolder ? await options.pickFolder() : null };
    },
    async listRecentProjects() {
      return { paths: (await loadSettings()).recentProjects };
    },
    async setUserName({ name }) {
      const settings = await loadSettings();
      const trimmed = name?.trim() ?? '';
      if (trimmed) settings.userName = trimmed;
      else delete settings.userName;
      await saveSettings(settings);
      return { userName: settings.userName ?? os.userInfo().username };
    },
    async listExperiments(args) {
      return engine.index.listExperiments(args);
    },
    async queryRuns(args) {
      const generation = engine.currentGeneration;
      return { ...engine.index.queryRuns(args), generation };
    },
    async queryRunIds(args) {
      const generation = engine.currentGeneration;
      return { ...engine.index.queryRunIds(args), generation };
    },
    async queryGroups(args) {
      const generation = engine.currentGeneration;
      return { ...engine.index.queryGroups(args), generation };
    },
    async getRun({ storeId, runId }) {
      const run = engine.index.getRun({ storeId, runId });
      if (!run) throw new EngineError('NOT_FOUND', `Run ${runId} not found`);
      return buildRunDetail(engine, storeId, run);
    },
    async listColumns(args) {
      return engine.index.listColumns(args);
    },
    async getMetricHistory(args) {
      return engine.getMetricHistory(args);
    },
    async listArtifacts(args) {
      return engine.listArtifacts(args);
    },
    async readArtifact({ storeId, runId, path: rel, maxBytes }) {
      const run = engine.index.getRun({ storeId, runId });
      if (!run) throw new EngineError('NOT_FOUND', `Run ${runId} not found`);
      const loc = await engine.resolveRunArtifacts(storeId, run, { includeTrash: true });
      if (!loc.available) throw new EngineError('NOT_FOUND', loc.reason);
      return readArtifactContent(loc.localPath, rel, maxBytes);
    },
    async listDiagnostics() {
      return engine.diagnostics();
    },
    async listRegisteredModels(args) {
      return engine.index.listRegisteredModels(args);
    },
    async registerModel({ storeId, ...a }) {
      return registry.register(storeId, a);
    },
    async transitionStage({ storeId, ...a }) {
      return registry.transition(storeId, a);
    },
    async setAlias({ storeId, ...a }) {
      return registry.setAlias(storeId, a);
    },
    async deleteAlias({ storeId, ...a }) {
      return registry.deleteAlias(storeId, a);
    },
    async updateRegistryDescription({ storeId, ...a }) {
      return registry.setDescription(storeId, a);
    },
    async setRegistryTag({ storeId, ...a }) {
      return registry.setTag(storeId, a);
    },
    async deleteRegistryTag({ storeId, ...a }) {
      return registry.deleteTag(storeId, a);
    },
    async deleteModelVersion({ storeId, ...a }) {
      return registry.deleteVersion(storeId, a);
    },
    async requestTransition({ storeId, ...a }) {
      return registry.requestTransition(storeId, a);
    },
    async approveTransition({ storeId, ...a }) {
      return registry.approve(storeId, a);
    },
    async rejectTransition({ storeId, ...a }) {
      return registry.reject(storeId, a);
    },
    async undoRegistryAction({ storeId, user }) {
      return registry.undo(storeId, { user });
    },
    async getRegistryCapabilities({ storeId }) {
      return registry.capabilities(storeId);
    },
    async listRunModels({ storeId, runId }) {
      return registry.listRunModels(storeId, runId);
    },
    async getRegistryReview({ storeId, name }) {
      return registry.review(storeId, name);
    },
    async previewReport(args) {
      return (await reports()).preview(args);
    },
    async exportReport(args) {
      return (await reports()).export(args);
    },
    async cancelReport({ jobId }) {
      return (await reports()).cancel(jobId);
    },
  };

  return {
    engine,
    async call(method, args) {
      const parsed = parseArgs(method, args);
      if (!parsed.ok) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: parsed.message } };
      try {
        const fn = impl[method] as (a: ApiArgs<typeof method>) => Promise<ApiValue<typeof method>>;
        return { ok: true, value: await fn(parsed.value) };
      } catch (e) {
        return { ok: false, error: toApiError(e) };
      }
    },
    on(event, listener) {
      if (!API_EVENTS.includes(event)) throw new Error(`Unknown event ${String(event)}`);
      // The engine's event map and the contract's are the same names and payloads (ApiEvents);
      // reportProgress comes from the backend's report service.
      const emitter = (event === 'reportProgress' ? reportEvents : engine.events) as unknown as EventEmitter;
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    dispose: async () => {
      await engine.dispose();
      await settingsWrites;
    },
  };
}

const CODES = new Set<ApiErrorCode>(['NOT_FOUND', 'INVALID_ARGUMENT', 'STORE_UNREADABLE', 'WRITE_CONFLICT', 'READ_ONLY', 'INTERNAL']);

/** Anything thrown becomes `{code, message}`; filter errors keep their position. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof PathEscapeError) return { code: 'INVALID_ARGUMENT', message: e.message };
  const err = e as { code?: unknown; message?: unknown; position?: unknown; length?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  let code: ApiErrorCode = 'INTERNAL';
  if (typeof err?.code === 'string' && CODES.has(err.code as ApiErrorCode)) code = err.code as ApiErrorCode;
  else if (err?.code === 'ENOENT') code = 'NOT_FOUND';
  else if (err?.code === 'EACCES' || err?.code === 'EPERM') code = 'STORE_UNREADABLE';
  else if (err?.code === 'EROFS') code = 'READ_ONLY';
  const out: ApiError = { code, message };
  if (typeof err?.position === 'number') out.position = err.position;
  if (typeof err?.length === 'number') out.length = err.length;
  return out;
}
