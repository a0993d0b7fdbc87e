// The registry's own state, beside the app store (state/store.ts) so the registry feature stays in
// its folder: which view is shown, the registered models of the open project, write capabilities,
// the review data of the open model, run names for the "source run" links, the dialogs in flight
// and the toasts. Written by registry-loader.ts and the registry components.
import { create } from 'zustand';
import type { RegistryCapability, RegistryReview, RunModelCandidate } from '../../../../preload/api.ts';
import type { RegistryModel, Stage } from './registry-logic.ts';

export type ModelTab = 'versions' | 'board';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
  /** Store whose last action this toast reports (offers Undo while it is still the last one). */
  undoStoreId?: string;
}

export interface RunRef {
  runName: string;
  experimentId: string;
  lifecycleStage: string;
  parentRunId: string | null;
}

/** The "choose a model / name it" dialog after a drop or "Register model…". */
export interface RegisterDialogState {
  storeId: string;
  runId: string;
  runName: string;
  candidates: RunModelCandidate[];
  chosen: number;
  /** Existing model chosen as the target (drop on a model), else the typed new name. */
  modelName: string;
  /** true: the name is asked (new model / menu); false: the drop named the model. */
  askName: boolean;
  busy: boolean;
  error: string | null;
}

/** A stage change waiting for confirmation (board drop or menu). */
export interface StageDialogState {
  storeId: string;
  name: string;
  version: number;
  from: string;
  to: Stage;
  /** 'transition': move now; 'request': record a request for a reviewer. */
  mode: 'transition' | 'request';
}

export interface RegistryState {
  /** The registry view replaces the runs view in the main area. */
  open: boolean;
  /** Model page shown (null: the list of models). */
  selected: { storeId: string; name: string } | null;
  modelTab: ModelTab;
  /** Version whose panel is open on the model page. */
  versionOpen: number | null;
  showPrompts: boolean;
  showDeleted: boolean;
  search: string;
  /** The registry dock beside the runs table (drop target for runs). */
  dockOpen: boolean;
  /** A run is being dragged somewhere in the app: drop targets light up, the dock unfolds. */
  draggingRun: boolean;

  models: RegistryModel[];
  loaded: boolean;
  loadError: string | null;
  capabilities: Record<string, RegistryCapability>;
  review: RegistryReview | null;
  reviewKey: string | null;
  reviewError: string | null;
  /** `${storeId}\0${runId}` → what the source-run links show. */
  runs: Record<string, RunRef>;
  userName: string | null;
  /** Store of the last action made here, for Undo when no model page names one. */
  lastActionStoreId: string | null;

  register: RegisterDialogState | null;
  stageDialog: StageDialogState | null;
  toasts: Toast[];
  /** Per store: the toast of the action undo would revert now (it alone offers Undo). */
  undoToast: Record<string, number | undefined>;
  /** An action is being written: buttons wait instead of queueing a second one. */
  busy: boolean;
}

const PREFS_KEY = 'runsight.registry.v1';

interface Prefs {
  modelTab: ModelTab;
  dockOpen: boolean;
  showPrompts: boolean;
  showDeleted: boolean;
}

function loadPrefs(): Partial<Prefs> {
  try {
    const raw = localStorage.getItem(PREFS_KEY);
    const p = raw ? (JSON.parse(raw) as Partial<Prefs>) : {};
    return {
      modelTab: p.modelTab === 'board' ? 'board' : 'versions',
      dockOpen: p.dockOpen === true,
      showPrompts: p.showPrompts === true,
      showDeleted: p.showDeleted === true,
    };
  } catch {
    return {};
  }
}

const prefs = loadPrefs();

export const useRegistry = create<RegistryState>()(() => ({
  open: false,
  selected: null,
  modelTab: prefs.modelTab ?? 'versions',
  versionOpen: null,
  showPrompts: prefs.showPrompts ?? false,
  showDeleted: prefs.showDeleted ?? false,
  search: '',
  dockOpen: prefs.dockOpen ?? false,
  draggingRun: false,
  models: [],
  loaded: false,
  loadError: null,
  capabilities: {},
  review: null,
  reviewKey: null,
  reviewError: null,
  runs: {},
  userName: null,
  lastActionStoreId: null,
  register: null,
  stageDialog: null,
  toasts: [],
  undoToast: {},
  busy: false,
}));

// View preferences survive a restart; what the data is never does.
let lastPrefs = '';
useRegistry.subscribe((s) => {
  const raw = JSON.stringify({ modelTab: s.modelTab, dockOpen: s.dockOpen, showPrompts: s.showPrompts, showDeleted: s.showDeleted } satisfies Prefs);
  if (raw === lastPrefs) return;
  lastPrefs = raw;
  try {
    localStorage.setItem(PREFS_KEY, raw);
  } catch {
    // Storage disabled: preferences last for this session.
  }
});
