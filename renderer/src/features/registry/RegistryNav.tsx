// Runs | Registry switch in the top bar.
import { showRegistry } from './registry-loader.ts';
import { useRegistry } from './registry-store.ts';

export function RegistryNav() {
  const open = useRegistry((s) => s.open);
  return (
    <nav className="reg-nav" aria-label="Views">
      <button type="button" className={`reg-nav-item${open ? '' : ' active'}`} aria-current={open ? undefined : 'page'} onClick={() => showRegistry(false)} data-testid="nav-runs">
        Runs
      </button>
      <button type="button" className={`reg-nav-item${open ? ' active' : ''}`} aria-current={open ? 'page' : undefined} onClick={() => showRegistry(true)} data-testid="nav-registry">
        Registry
      </button>
    </nav>
  );
}
