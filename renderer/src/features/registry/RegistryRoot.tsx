// Mounted once with the main layout: starts the registry's loading and event wiring, and hosts
// what can appear over any view — the register dialog (after a drop or "Register model…"), the
// stage dialog and the toasts.
import { useEffect } from 'react';
import { RegisterDialog, StageDialog } from './dialogs.tsx';
import { dismissToast, startRegistry, undoLast } from './registry-loader.ts';
import { useRegistry } from './registry-store.ts';
import { watchRunDrags } from './run-drag.ts';
import './registry.css';

export function RegistryRoot() {
  useEffect(() => {
    startRegistry();
    return watchRunDrags();
  }, []);
  return (
    <>
      <RegisterDialog />
      <StageDialog />
      <Toasts />
    </>
  );
}

function Toasts() {
  const toasts = useRegistry((s) => s.toasts);
  const undoFor = useRegistry((s) => s.capabilities);
  const undoToast = useRegistry((s) => s.undoToast);
  if (toasts.length === 0) return null;
  return (
    <div className="reg-toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => {
        // Only the toast of the action undo would revert now offers Undo.
        const canUndo = t.undoStoreId && undoToast[t.undoStoreId] === t.id && undoFor[t.undoStoreId]?.undo;
        return (
          <div key={t.id} className={`reg-toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={t.kind}>
            <span className="reg-toast-icon" aria-hidden="true">
              {t.kind === 'success' ? '✓' : t.kind === 'error' ? '!' : 'i'}
            </span>
            <span className="reg-toast-text" data-testid="toast-text">
              {t.text}
            </span>
            {canUndo ? (
              <button
                type="button"
                className="link-button reg-toast-undo"
                onClick={() => {
                  dismissToast(t.id);
                  void undoLast(t.undoStoreId ?? null);
                }}
                data-testid="toast-undo"
              >
                Undo
              </button>
            ) : null}
            <button type="button" className="icon-button small" onClick={() => dismissToast(t.id)} aria-label="Dismiss" data-testid="toast-close">
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
