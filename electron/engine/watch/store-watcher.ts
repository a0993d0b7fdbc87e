// Watches one store and turns bursts of file events into one batch of changed paths.
// - inotify (chokidar's native per-directory backend) by default; polling on request (network
//   mounts, where inotify sees nothing) and, once, automatically when the OS runs out of watches
//   (ENOSPC) or file handles (EMFILE) — the lesson Bruno learned the hard way.
// - no awaitWriteFinish: it would hold every metric append for its stability window, and the
//   readers already cope with half-written lines (they keep the partial tail for next time).
// - `atomic: false`: MLflow rewrites meta.yaml via temp file + rename; we want that as soon as it
//   lands, not 100 ms later, and any of unlink/add/change means "re-read that entity".
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';

export interface StoreWatcherOptions {
  /** Paths to watch: the mlruns folder, or the db file plus its -wal/-journal. */
  paths: string[];
  /** Force stat polling (network mounts). */
  polling?: boolean;
  pollingInterval?: number;
  /** Quiet period that closes a burst. */
  debounceMs?: number;
  /** Upper bound on how long a continuous burst is held before it is flushed anyway. */
  maxWaitMs?: number;
  /** Batch of absolute paths that changed (added, changed or removed). */
  onChange: (paths: string[]) => void;
  /** Watcher problems worth showing (the watcher keeps going or has switched to polling). */
  onProblem?: (message: string) => void;
  /** Paths that are never interesting (temp files of atomic writers). */
  ignored?: (p: string) => boolean;
  /** Folder levels below each watched path (default: all). */
  depth?: number;
}

const IGNORED_NAMES = /(^|[/\\])(\.git|node_modules|__pycache__)([/\\]|$)/;

export class StoreWatcher {
  private watcher: FSWatcher | null = null;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private firstPendingAt = 0;
  private switchedToPolling = false;
  private closed = false;
  /** Settles once: the first watcher's initial scan is done, or close() was called first. */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private extra: string[] = [];

  private readonly options: StoreWatcherOptions;

  constructor(options: StoreWatcherOptions) {
    this.options = options;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  get mode(): 'native' | 'polling' {
    return this.options.polling || this.switchedToPolling ? 'polling' : 'native';
  }

  /**
   * Starts watching; resolves once the initial scan is done (events after that are live). Also
   * resolves when close() comes first: chokidar drops its listeners on close, so a scan cut short
   * never reports `ready`, and whoever awaits the start must not hang. After close() it starts
   * nothing.
   */
  start(): Promise<void> {
    if (this.closed) this.markReady();
    else if (!this.watcher) this.watcher = this.create(this.mode === 'polling');
    return this.ready;
  }

  private create(polling: boolean): FSWatcher {
    const ignoredFn = this.options.ignored;
    const w = watch([...this.options.paths, ...this.extra], {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      atomic: false,
      backend: polling ? 'polling' : 'native',
      pollingInterval: this.options.pollingInterval ?? 500,
      ignorePermissionErrors: true,
      ignored: (p: string) => IGNORED_NAMES.test(p) || (ignoredFn ? ignoredFn(p) : false),
      ...(this.options.depth !== undefined ? { depth: this.options.depth } : {}),
    });
    // The polling replacement of a watcher that ran out of inotify watches mid-scan settles the
    // same start.
    w.once('ready', () => this.markReady());
    w.on('all', (_event, p) => this.push(path.resolve(p)));
    w.on('error', (err) => this.onError(err));
    return w;
  }

  /** Watches more paths (e.g. a run that started training). */
  add(paths: string[]): void {
    if (paths.length === 0 || this.closed) return;
    this.extra.push(...paths);
    this.watcher?.add(paths);
  }

  /** Stops watching paths added with add(). */
  remove(paths: string[]): void {
    if (paths.length === 0 || this.closed) return;
    const gone = new Set(paths);
    this.extra = this.extra.filter((p) => !gone.has(p));
    this.watcher?.unwatch(paths);
  }

  private onError(err: unknown): void {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if ((code === 'ENOSPC' || code === 'EMFILE') && this.mode === 'native' && !this.closed) {
      this.switchedToPolling = true;
      this.options.onProblem?.(
        `The system ran out of file watchers (${code}); switched to polling every ${this.options.pollingInterval ?? 500} ms`,
      );
      const old = this.watcher;
      this.watcher = this.create(true);
      void old?.close();
      // Anything may have changed while we had no watch: let the reader re-check everything.
      for (const p of this.options.paths) this.push(p);
      return;
    }
    this.options.onProblem?.(`File watcher: ${err instanceof Error ? err.message : String(err)}`);
  }

  private push(p: string): void {
    if (this.closed) return;
    if (this.pending.size === 0) this.firstPendingAt = Date.now();
    this.pending.add(p);
    const debounce = this.options.debounceMs ?? 25;
    const maxWait = this.options.maxWaitMs ?? 150;
    if (this.timer) clearTimeout(this.timer);
    const waited = Date.now() - this.firstPendingAt;
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.min(debounce, maxWait - waited)));
  }

  private flush(): void {
    this.timer = null;
    if (this.pending.size === 0 || this.closed) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.options.onChange(batch);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.markReady();
    if (this.timer) clearTimeout(this.timer);
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }
}
