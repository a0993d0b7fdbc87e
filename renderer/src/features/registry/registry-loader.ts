// Everything the registry views ask the backend: models, capabilities, review data, run names,
// and the write actions. Every write goes through `act()`: one at a time, the result applied at
// once (the engine returns the model as re-read after the write), a toast with Undo, and errors
// shown — returned to the dialog that asked, or as an error toast — never swallowed. The
// `indexChanged` event (registryChanged) re-reads everything, so writes made elsewhere (the CLI,
// MLflow itself) show up live too.
import type { IndexChangedEvent, RegistryActionResult, RunRow } from '../../../../preload/api.ts';
import { call, on } from '../../bridge/client.ts';
import type { RunDragData } from '../../core/drag-data.ts';
import { selectIds } from '../../core/selection.ts';
import { selectExperiment, setLifecycle } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';
import { candidateSource, capToasts, modelKey, POLICY_TAG, registerStep, type RegisterTarget } from './registry-logic.ts';
import { useRegistry, type RegistryState, type RunRef, type Toast } from './registry-store.ts';

const set = useRegistry.setState;
const get = useRegistry.getState;

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- toasts ----

let nextToast = 1;
const SUCCESS_MS = 5000;

export function toast(kind: Toast['kind'], text: string, undoStoreId?: string): void {
  const id = nextToast++;
  set((s) => ({
    toasts: capToasts([...s.toasts, { id, kind, text, undoStoreId }], 3),
    undoToast: undoStoreId ? { ...s.undoToast, [undoStoreId]: id } : s.undoToast,
  }));
  // Errors stay until dismissed: a refused write must not vanish before it is read.
  if (kind !== 'error') setTimeout(() => dismissToast(id), SUCCESS_MS);
}

export function dismissToast(id: number): void {
  set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

// ---- loading ----

let started = false;
let loadSeq = 0;
let reloadTimer: ReturnType<typeof setTimeout> | null = null;

/** Wires events once (called by RegistryRoot when the main layout mounts). */
export function startRegistry(): void {
  if (started) return;
  started = true;
  on('indexChanged', onIndexChanged);
  let epoch = useApp.getState().projectEpoch;
  useApp.subscribe((s) => {
    if (s.projectEpoch === epoch) return;
    epoch = s.projectEpoch;
    set({ selected: null, versionOpen: null, review: null, reviewKey: null, models: [], loaded: false, runs: {}, register: null, stageDialog: null, lastActionStoreId: null });
    void loadModels();
  });
  void loadUserName();
  void loadModels();
}

function onIndexChanged(ev: IndexChangedEvent): void {
  if (!ev.registryChanged) return;
  // A burst of file events from one write (or a training script registering) → one re-read.
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => {
    reloadTimer = null;
    void loadModels();
  }, 60);
}

async function loadUserName(): Promise<void> {
  try {
    const st = await call('getStatus', {});
    set({ userName: st.userName });
  } catch {
    // The audit trail then names whoever the backend defaults to; the field shows nothing.
  }
}

export async function loadModels(): Promise<void> {
  const mine = ++loadSeq;
  try {
    const [models, caps] = await Promise.all([call('listRegisteredModels', { includePrompts: true }), call('getRegistryCapabilities', {})]);
    if (mine !== loadSeq) return;
    const capabilities: RegistryState['capabilities'] = {};
    for (const c of caps) capabilities[c.storeId] = c;
    set({ models, capabilities, loaded: true, loadError: null });
    void loadRunRefs();
    const sel = get().selected;
    if (sel) void loadReview(sel.storeId, sel.name);
  } catch (e) {
    if (mine === loadSeq) set({ loaded: true, loadError: errorMessage(e) });
  }
}

async function refreshCapabilities(): Promise<void> {
  try {
    const caps = await call('getRegistryCapabilities', {});
    const capabilities: RegistryState['capabilities'] = {};
    for (const c of caps) capabilities[c.storeId] = c;
    set({ capabilities });
  } catch (e) {
    toast('error', `Could not check whether the registry can be written: ${errorMessage(e)}`);
  }
}

/** Names of the runs versions came from (one query per store). */
async function loadRunRefs(): Promise<void> {
  const byStore = new Map<string, Set<string>>();
  for (const m of get().models) {
    for (const v of m.versions) {
      if (!v.runId) continue;
      const ids = byStore.get(m.storeId) ?? new Set<string>();
      ids.add(v.runId);
      byStore.set(m.storeId, ids);
    }
  }
  const runs: Record<string, RunRef> = {};
  await Promise.all(
    [...byStore].map(async ([storeId, ids]) => {
      let rows: RunRow[] = [];
      try {
        rows = (await call('queryRuns', { storeId, experimentIds: [], lifecycle: 'all', runIds: [...ids], limit: ids.size })).rows;
      } catch {
        // The links then show the run id only; the version list is still complete.
      }
      for (const r of rows) runs[modelKey(storeId, r.runId)] = { runName: r.runName, experimentId: r.experimentId, lifecycleStage: r.lifecycleStage, parentRunId: r.parentRunId };
    }),
  );
  set({ runs });
}

let reviewSeq = 0;

export async function loadReview(storeId: string, name: string): Promise<void> {
  const mine = ++reviewSeq;
  const key = modelKey(storeId, name);
  try {
    const review = await call('getRegistryReview', { storeId, name });
    if (mine === reviewSeq) set({ review, reviewKey: key, reviewError: null });
  } catch (e) {
    if (mine === reviewSeq) set({ review: null, reviewKey: key, reviewError: errorMessage(e) });
  }
}

// ---- navigation ----

export function showRegistry(open: boolean): void {
  set({ open });
  if (open) void loadModels();
}

export function openModel(storeId: string, name: string, version: number | null = null): void {
  set({ open: true, selected: { storeId, name }, versionOpen: version, review: null, reviewKey: null, reviewError: null });
  void loadReview(storeId, name);
}

export function closeModel(): void {
  set({ selected: null, versionOpen: null });
}

/** Source-run link: the runs view on that run's experiment, with the run focused and its details open. */
export function goToRun(storeId: string, runId: string): void {
  const app = useApp.getState();
  const ref = get().runs[modelKey(storeId, runId)];
  const exp = ref ? app.experiments.find((e) => e.storeId === storeId && e.experimentId === ref.experimentId) : undefined;
  if (!ref || !exp) {
    toast('error', `Run ${runId} is not in the index of this project.`);
    return;
  }
  set({ open: false });
  if (app.storeId !== storeId || app.experimentIds.length !== 1 || app.experimentIds[0] !== exp.experimentId) selectExperiment(exp, false);
  setLifecycle(ref.lifecycleStage === 'deleted' ? 'deleted' : 'active');
  // A nested run shows under its parent: unfold it so the focused row is on screen.
  const after = useApp.getState();
  if (ref.parentRunId && !after.expanded.has(ref.parentRunId)) after.toggleExpanded(ref.parentRunId);
  after.setSelection(selectIds([runId]));
}

// ---- writes ----

export type ActOutcome = { ok: true; result: RegistryActionResult } | { ok: false; message: string };

/**
 * Runs one registry write. `quiet`: the caller shows the error itself (an open dialog), else it
 * becomes an error toast.
 */
export async function act(storeId: string, write: () => Promise<RegistryActionResult>, opts: { quiet?: boolean; success?: (r: RegistryActionResult) => string } = {}): Promise<ActOutcome> {
  if (get().busy) {
    const message = 'Another registry action is still being saved: try again in a moment.';
    if (!opts.quiet) toast('info', message);
    return { ok: false, message };
  }
  set({ busy: true });
  try {
    const result = await write();
    applyResult(result);
    if (!result.undo) set((s) => ({ undoToast: { ...s.undoToast, [storeId]: undefined } }));
    toast('success', opts.success ? opts.success(result) : result.summary, result.undo ? storeId : undefined);
    set({ lastActionStoreId: storeId });
    void refreshCapabilities();
    const sel = get().selected;
    if (sel && sel.storeId === storeId && sel.name === result.name) void loadReview(storeId, result.name);
    return { ok: true, result };
  } catch (e) {
    const message = errorMessage(e);
    if (!opts.quiet) toast('error', message);
    return { ok: false, message };
  } finally {
    set({ busy: false });
  }
}

/** The engine answers with the model as re-read after the write: show it before the event's re-read. */
function applyResult(r: RegistryActionResult): void {
  set((s) => {
    const key = modelKey(r.storeId, r.name);
    const rest = s.models.filter((m) => modelKey(m.storeId, m.name) !== key);
    const models = r.model ? [...rest, r.model] : rest;
    const selected = s.selected && !r.model && modelKey(s.selected.storeId, s.selected.name) === key ? null : s.selected;
    return { models, selected };
  });
  void loadRunRefs();
}

export async function undoLast(storeId: string | null): Promise<void> {
  if (!storeId) return;
  const cap = get().capabilities[storeId];
  if (cap && !cap.undo) {
    toast('info', 'Nothing to undo in this store.');
    return;
  }
  await act(storeId, () => call('undoRegistryAction', { storeId }));
}

// The writes the views offer, each one act(). Boolean results tell an inline editor whether to
// close.

export async function setDescription(storeId: string, name: string, version: number | null, description: string | null): Promise<boolean> {
  return (await act(storeId, () => call('updateRegistryDescription', { storeId, name, version, description }))).ok;
}

export async function setTag(storeId: string, name: string, version: number | null, key: string, value: string, success?: string): Promise<boolean> {
  return (await act(storeId, () => call('setRegistryTag', { storeId, name, version, key, value }), success ? { success: () => success } : {})).ok;
}

export async function deleteTag(storeId: string, name: string, version: number | null, key: string, success?: string): Promise<boolean> {
  return (await act(storeId, () => call('deleteRegistryTag', { storeId, name, version, key }), success ? { success: () => success } : {})).ok;
}

/** Sets or moves the alias (one action: an alias names one version per model). */
export async function setAlias(storeId: string, name: string, alias: string, version: number): Promise<ActOutcome> {
  return act(storeId, () => call('setAlias', { storeId, name, alias, version }), { quiet: true });
}

export async function deleteAlias(storeId: string, name: string, alias: string): Promise<boolean> {
  return (await act(storeId, () => call('deleteAlias', { storeId, name, alias }))).ok;
}

export async function transition(storeId: string, name: string, version: number, stage: string, archiveExisting: boolean, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('transitionStage', { storeId, name, version, stage, archiveExisting, comment }), { quiet: true });
}

export async function requestTransition(storeId: string, name: string, version: number, stage: string, archiveExisting: boolean, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('requestTransition', { storeId, name, version, stage, archiveExisting, comment }), { quiet: true });
}

export async function approve(storeId: string, name: string, version: number, requestId: number, comment: string | null): Promise<boolean> {
  return (await act(storeId, () => call('approveTransition', { storeId, name, version, requestId, comment }))).ok;
}

export async function reject(storeId: string, name: string, version: number, requestId: number, comment: string | null): Promise<boolean> {
  return (await act(storeId, () => call('rejectTransition', { storeId, name, version, requestId, comment }))).ok;
}

export async function deleteVersion(storeId: string, name: string, version: number, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('deleteModelVersion', { storeId, name, version, comment }), { quiet: true });
}

/** The approval rule is an ordinary model tag (so MLflow keeps it), removed when turned off. */
export async function setPolicy(storeId: string, name: string, on: boolean): Promise<boolean> {
  return on
    ? setTag(storeId, name, null, POLICY_TAG, 'true', `${name}: Production now needs an approved request`)
    : deleteTag(storeId, name, null, POLICY_TAG, `${name}: versions can move to Production directly again`);
}

// ---- registering a run ----

/** A run dropped on a model / "new model", or "Register model…" chosen for it. */
export async function startRegister(run: RunDragData, target: RegisterTarget): Promise<void> {
  const cap = get().capabilities[run.storeId];
  if (cap && !cap.canWrite) {
    toast('error', cap.reason ?? 'This store cannot be written.');
    return;
  }
  let runModels;
  try {
    runModels = await call('listRunModels', { storeId: run.storeId, runId: run.runId });
  } catch (e) {
    toast('error', errorMessage(e));
    return;
  }
  const step = registerStep(runModels, target, run.storeId);
  if (step.kind === 'refuse') {
    toast('error', step.message);
    return;
  }
  if (step.kind === 'register') {
    await act(run.storeId, () => call('registerModel', { storeId: run.storeId, runId: run.runId, modelName: step.modelName, source: candidateSource(step.candidate) }), {
      success: registeredText,
    });
    return;
  }
  set({
    register: {
      storeId: run.storeId,
      runId: run.runId,
      runName: runModels.runName || run.runName,
      candidates: step.candidates,
      chosen: step.chosen,
      modelName: step.modelName,
      askName: step.askName,
      busy: false,
      error: null,
    },
  });
}

export function registeredText(r: RegistryActionResult): string {
  return `Registered ${r.name} v${r.version ?? '?'}${r.createdModel ? ' (new model)' : ''}`;
}

export async function confirmRegister(): Promise<void> {
  const d = get().register;
  if (!d) return;
  const candidate = d.candidates[d.chosen];
  const name = d.modelName.trim();
  if (!candidate || !candidate.registrable) {
    set({ register: { ...d, error: 'Choose a model to register.' } });
    return;
  }
  if (!name) {
    set({ register: { ...d, error: 'Give the registered model a name.' } });
    return;
  }
  set({ register: { ...d, busy: true, error: null } });
  const out = await act(d.storeId, () => call('registerModel', { storeId: d.storeId, runId: d.runId, modelName: name, source: candidateSource(candidate) }), {
    quiet: true,
    success: registeredText,
  });
  const cur = get().register;
  if (!cur) return;
  set({ register: out.ok ? null : { ...cur, busy: false, error: out.message } });
}

// ---- settings ----

export async function saveUserName(name: string): Promise<string | null> {
  try {
    const r = await call('setUserName', { name: name.trim() || null });
    set({ userName: r.userName });
    return null;
  } catch (e) {
    return errorMessage(e);
  }
}
