// In the run detail panel's header: a handle to drag the run onto a registered model, and
// "Register model…" — the same registration without a mouse (drag alone is not accessible).
import { startRunDrag } from '../../core/drag-data.ts';
import { useWritable } from './controls.tsx';
import { startRegister } from './registry-loader.ts';

export function RunRegistryActions({ storeId, runId, runName }: { storeId: string; runId: string; runName: string }) {
  const w = useWritable(storeId);
  return (
    <>
      <span
        className="reg-drag-handle"
        draggable
        onDragStart={(e) => startRunDrag(e, { storeId, runId, runName })}
        title="Drag this run onto a model in the Registry dock to register it"
        aria-hidden="true"
        data-testid="detail-drag-handle"
      >
        ⠿
      </span>
      <span className="reg-gate" title={w.reason ?? 'Register a model of this run as a new version'}>
        <button
          type="button"
          className="button small"
          disabled={!w.canWrite}
          onClick={() => void startRegister({ storeId, runId, runName }, { kind: 'choose' })}
          data-testid="detail-register"
        >
          Register model…
        </button>
      </span>
    </>
  );
}
