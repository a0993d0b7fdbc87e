// Diagnostics grouped by the unit of re-reading ("scope": a run's meta, a metric file, the
// registry...). Re-reading a unit replaces its list, so a path that became good again loses its
// diagnostic on the next refresh, and the full list is always the union of the current scopes.
import type { Diagnostic } from '../../model.ts';

export class DiagBook {
  readonly store: string;
  private byScope = new Map<string, Diagnostic[]>();

  constructor(store: string) {
    this.store = store;
  }

  /** Replaces the diagnostics of one scope. */
  set(scope: string, list: Diagnostic[]): void {
    if (list.length === 0) this.byScope.delete(scope);
    else this.byScope.set(scope, list);
  }

  /** A scope with at most one diagnostic (null: none); allocates nothing in the common case. */
  one(scope: string, path: string, problem: string | null): void {
    if (problem === null) {
      if (this.byScope.size > 0) this.byScope.delete(scope);
    } else this.byScope.set(scope, [{ store: this.store, path, problem }]);
  }

  clear(scope: string): void {
    this.byScope.delete(scope);
  }

  /** Drops every scope of a folder: the folder itself, `dir#part` and anything below `dir/`. */
  clearUnder(dir: string): void {
    for (const k of [...this.byScope.keys()]) {
      if (k === dir || k.startsWith(`${dir}#`) || k.startsWith(`${dir}/`)) this.byScope.delete(k);
    }
  }

  reset(): void {
    this.byScope.clear();
  }

  /** Every non-empty scope (to hand diagnostics from the helper thread to the reader). */
  scopes(): [string, Diagnostic[]][] {
    return [...this.byScope.entries()];
  }

  all(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const list of this.byScope.values()) out.push(...list);
    return out;
  }

  collector(): Collector {
    return new Collector(this.store);
  }
}

/** Diagnostics gathered while reading one scope. */
export class Collector {
  readonly store: string;
  list: Diagnostic[] = [];
  constructor(store: string) {
    this.store = store;
  }
  add(path: string, problem: string): void {
    this.list.push({ store: this.store, path, problem });
  }
  /** A `Problems` sink bound to one path (for record conversion). */
  at(path: string, suffix = ''): { add(problem: string): void } {
    return { add: (problem: string) => this.add(path, suffix ? `${problem}${suffix}` : problem) };
  }
}
