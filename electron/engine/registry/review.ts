// The review flow and the audit trail, stored in registry tags under `runsight.` so they travel
// with the store: MLflow keeps tags it does not know (format doc 2.12, 3.4) and shows them as
// ordinary tags. Schema documented in ./README.md; parsing is tolerant (a hand-edited or foreign
// value never breaks the registry view, it reads as empty).
import { REGISTRY_TAG_VALUE_LIMIT } from './rules.ts';
import type { AuditEntry, AuditLog, ModelPolicy, ReviewState, TransitionRequest } from './types.ts';

export const TAG_PREFIX = 'runsight.';
/** Version tag (and registered-model tag for model-level actions): the audit trail. */
export const AUDIT_TAG = 'runsight.audit';
/** Version tag: transition requests and their decisions. */
export const REVIEW_TAG = 'runsight.review';
/** Registered-model tag: `true` makes a direct transition to Production need an approved request. */
export const POLICY_PRODUCTION_APPROVAL_TAG = 'runsight.policy.production_requires_approval';

/** Tags only Runsight's own actions write (the policy tag is set by users through setModelTag). */
export function isManagedTag(key: string): boolean {
  return key === AUDIT_TAG || key === REVIEW_TAG;
}

/**
 * Model-level audit is capped lower: `registered_model_tags.value` is VARCHAR(5000) in MLflow's
 * SQL schema (SQLite does not enforce it, other databases would truncate on migration).
 */
export const MODEL_AUDIT_LIMIT = 5_000;
export const VERSION_AUDIT_LIMIT = REGISTRY_TAG_VALUE_LIMIT;
export const REVIEW_LIMIT = REGISTRY_TAG_VALUE_LIMIT;



const SCHEMA = 1;

export function parseAudit(value: string | undefined | null): AuditLog {
  const parsed = parseJsonObject(value);
  if (!parsed) return { entries: [], omitted: 0 };
  const entries = Array.isArray(parsed.entries) ? parsed.entries.filter(isAuditEntry) : [];
  return { entries, omitted: typeof parsed.omitted === 'number' && parsed.omitted >= 0 ? parsed.omitted : 0 };
}

function isAuditEntry(e: unknown): e is AuditEntry {
  if (!e || typeof e !== 'object') return false;
  const r = e as Record<string, unknown>;
  return typeof r.at === 'number' && typeof r.user === 'string' && typeof r.action === 'string';
}

/**
 * Appends entries, dropping the oldest ones while the JSON exceeds `limit` characters (UTF-16
 * units, never fewer than MLflow's code-point count), and counting them in `omitted`.
 */
export function appendAudit(value: string | undefined | null, add: AuditEntry[], limit: number): string {
  const log = parseAudit(value);
  const entries = [...log.entries, ...add];
  let omitted = log.omitted;
  let text = encodeAudit(entries, omitted);
  while (text.length > limit && entries.length > 1) {
    // Drop in chunks: re-encoding after every single drop would be quadratic on a full trail.
    const drop = Math.max(1, countToFree(entries, text.length - limit));
    entries.splice(0, drop);
    omitted += drop;
    text = encodeAudit(entries, omitted);
  }
  if (text.length > limit) {
    // One entry alone is over the limit (a huge comment): keep it, shortened.
    const only = { ...(entries[0] as AuditEntry) };
    only.comment = `${(only.comment ?? '').slice(0, Math.max(0, limit - 500))}…`;
    text = encodeAudit([only], omitted);
  }
  return text;
}

function countToFree(entries: AuditEntry[], excess: number): number {
  let freed = 0;
  let n = 0;
  while (n < entries.length - 1 && freed < excess) {
    freed += JSON.stringify(entries[n]).length + 1;
    n += 1;
  }
  return n;
}

function encodeAudit(entries: AuditEntry[], omitted: number): string {
  return JSON.stringify({ schema: SCHEMA, omitted, entries });
}




export function parseReview(value: string | undefined | null): ReviewState {
  const parsed = parseJsonObject(value);
  if (!parsed) return { requests: [], omitted: 0 };
  const requests = Array.isArray(parsed.requests) ? parsed.requests.filter(isRequest).map(normalizeRequest) : [];
  return { requests, omitted: typeof parsed.omitted === 'number' && parsed.omitted >= 0 ? parsed.omitted : 0 };
}

function isRequest(r: unknown): r is TransitionRequest {
  if (!r || typeof r !== 'object') return false;
  const x = r as Record<string, unknown>;
  return (
    typeof x.id === 'number' &&
    typeof x.stage === 'string' &&
    typeof x.requestedBy === 'string' &&
    (x.status === 'pending' || x.status === 'approved' || x.status === 'rejected')
  );
}

function normalizeRequest(r: TransitionRequest): TransitionRequest {
  return {
    id: r.id,
    stage: r.stage,
    archiveExisting: r.archiveExisting === true,
    requestedBy: r.requestedBy,
    requestedAt: typeof r.requestedAt === 'number' ? r.requestedAt : 0,
    comment: typeof r.comment === 'string' ? r.comment : null,
    status: r.status,
    decidedBy: typeof r.decidedBy === 'string' ? r.decidedBy : null,
    decidedAt: typeof r.decidedAt === 'number' ? r.decidedAt : null,
    decisionComment: typeof r.decisionComment === 'string' ? r.decisionComment : null,
  };
}

/** Encodes; when over the limit, the oldest decided requests go first (pending ones are kept). */
export function encodeReview(state: ReviewState, limit = REVIEW_LIMIT): string {
  const requests = [...state.requests];
  let omitted = state.omitted;
  let text = JSON.stringify({ schema: SCHEMA, omitted, requests });
  while (text.length > limit) {
    const i = requests.findIndex((r) => r.status !== 'pending');
    if (i < 0) break;
    requests.splice(i, 1);
    omitted += 1;
    text = JSON.stringify({ schema: SCHEMA, omitted, requests });
  }
  return text;
}

export function nextRequestId(state: ReviewState): number {
  return state.requests.reduce((m, r) => Math.max(m, r.id), state.omitted) + 1;
}


export function policyOf(tags: Record<string, string>): ModelPolicy {
  return { productionRequiresApproval: (tags[POLICY_PRODUCTION_APPROVAL_TAG] ?? '').trim().toLowerCase() === 'true' };
}

function parseJsonObject(value: string | undefined | null): Record<string, unknown> | null {
  if (!value) return null;
  try {
    const v = JSON.parse(value) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
