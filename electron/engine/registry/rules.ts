// MLflow's validation rules for registry input (mlflow/utils/validation.py, format doc 1.4) and
// the error helpers every registry module uses. Invalid input is refused before anything is
// written, with MLflow's own wording where it has one.
import { EngineError } from '../errors.ts';
import type { StoreKind } from '../model.ts';

export const STAGE_NONE = 'None';
export const STAGE_ARCHIVED = 'Archived';
export const STAGE_DELETED = 'Deleted_Internal';
const CANONICAL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof CANONICAL_STAGES)[number];
/** Stages `archive_existing_versions` is allowed for (DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
const ACTIVE_STAGES = new Set<string>(['Staging', 'Production']);

/** MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH (registry tags, both entities). */
export const REGISTRY_TAG_VALUE_LIMIT = 100_000;
const TAG_KEY_LIMIT = 250;
const ALIAS_LIMIT = 255;
/** registered_models.name / model_versions.name are VARCHAR(256) in the SQL schema. */
const NAME_LIMIT = 256;
export const COMMENT_LIMIT = 5_000;
export const DESCRIPTION_LIMIT = 100_000;

/**
 * Python's `\w` on str is Unicode (letters, digits, marks, underscore); JavaScript's is ASCII even
 * with the `u` flag. MLflow accepts keys such as `説明` [seen in kitchen-sink], so do we.
 */
const WORD = '\\p{L}\\p{N}\\p{M}_';
const TAG_KEY_RE = new RegExp(`^[${WORD}./ :-]+$`, 'u');
const ALIAS_RE = new RegExp(`^[${WORD}-]+$`, 'u');

export function invalid(message: string): EngineError {
  return new EngineError('INVALID_ARGUMENT', message);
}

export function notFound(message: string): EngineError {
  return new EngineError('NOT_FOUND', message);
}

/** Stage names are case-insensitive on input, stored canonically (format doc 1.3). */
export function canonicalStage(stage: string): Stage {
  const found = CANONICAL_STAGES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
  if (!found) throw invalid(`Invalid stage "${stage}": use one of ${CANONICAL_STAGES.join(', ')}`);
  return found;
}

export function checkArchiveExisting(stage: Stage, archiveExisting: boolean): void {
  if (archiveExisting && !ACTIVE_STAGES.has(stage)) {
    throw invalid(`Cannot archive existing versions when moving to "${stage}": only Staging and Production archive the versions already there`);
  }
}

export function checkModelName(name: string, kind: StoreKind): void {
  if (typeof name !== 'string' || name.length === 0) throw invalid('A registered model name is required');
  if (name.length > NAME_LIMIT) throw invalid(`Registered model name is longer than ${NAME_LIMIT} characters`);
  if (name.includes('\0')) throw invalid('Registered model name contains a NUL character');
  if (kind === 'file') {
    // The name is a folder name (format doc 1.4, mlflow/store/model_registry/file_store.py).
    if (name.includes('/') || name.includes('\\')) throw invalid(`Invalid name "${name}": a registered model name cannot contain a path separator`);
    if (name.includes('%')) throw invalid(`Invalid name "${name}": a registered model name cannot contain "%"`);
    if (name === '.' || name === '..') throw invalid(`Invalid name "${name}"`);
  }
}

export function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) throw invalid(`Invalid version ${String(version)}: a positive integer is required`);
}

/** `_validate_model_alias_name`: `[\w-]+`, not `latest`, not `v<digits>` (those address versions). */
export function checkAlias(alias: string): void {
  if (typeof alias !== 'string' || alias.length === 0) throw invalid('An alias name is required');
  if (alias.length > ALIAS_LIMIT) throw invalid(`Alias is longer than ${ALIAS_LIMIT} characters`);
  if (!ALIAS_RE.test(alias)) throw invalid(`Invalid alias "${alias}": use letters, digits, "_" and "-" only`);
  if (alias.toLowerCase() === 'latest') throw invalid('"latest" is reserved by MLflow and cannot be an alias');
  if (/^v\d+$/i.test(alias)) throw invalid(`"${alias}" looks like a version reference (v<number>) and cannot be an alias`);
}

/**
 * `_validate_tag_name` plus the file store's rule that a key is a relative path (keys with `/`
 * become sub-folders, format doc 2.1): no empty/`.`/`..` segments, no leading `/`.
 */
export function checkTagKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw invalid('A tag key is required');
  if (key.length > TAG_KEY_LIMIT) throw invalid(`Tag key is longer than ${TAG_KEY_LIMIT} characters`);
  if (!TAG_KEY_RE.test(key)) throw invalid(`Invalid tag key "${key}": use letters, digits, "_", "-", ".", " ", ":" and "/"`);
  if (key.startsWith('/') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw invalid(`Invalid tag key "${key}": it must be a relative path without "." or ".." parts`);
  }
}

export function checkTagValue(key: string, value: string): void {
  if (typeof value !== 'string') throw invalid(`Tag "${key}" needs a text value`);
  if (value.length > REGISTRY_TAG_VALUE_LIMIT) {
    throw invalid(`Tag "${key}" is longer than MLflow's registry limit of ${REGISTRY_TAG_VALUE_LIMIT} characters`);
  }
}

export function checkText(what: string, value: string | null | undefined, limit: number): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'string') throw invalid(`${what} must be text`);
  if (value.length > limit) throw invalid(`${what} is longer than ${limit} characters`);
}

export function checkUser(user: string): void {
  if (typeof user !== 'string' || user.trim() === '') throw invalid('A user name is required for the audit trail');
  if (user.length > 256) throw invalid('User name is longer than 256 characters');
}

/** A run-relative artifact path as MLflow's `runs:/<run>/<path>` takes it: `/`-separated, inside the run. */
export function normalizeArtifactPath(p: string): string {
  const parts = p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.some((s) => s === '..') || p.includes('\0')) {
    throw invalid(`Invalid artifact path "${p}": give the model folder relative to the run's artifacts, e.g. "model"`);
  }
  return parts.join('/');
}
