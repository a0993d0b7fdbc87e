// Public surface of the registry writers (see ./README.md for the tag schema they maintain).
export { createRegistryWriter, appendModelVersion } from './registry-writer.ts';
export type { RegisterResult, RegistryWriter, RegistryWriterOptions, RequestResult } from './registry-writer.ts';
export { RegistryService } from './registry-service.ts';
export type { RegistryServiceOptions } from './registry-service.ts';
export { listRunModels } from './run-models.ts';
export { nodeFs } from './atomic-fs.ts';
export type { DirEntry, RegistryFs } from './atomic-fs.ts';
export {
  AUDIT_TAG,
  POLICY_PRODUCTION_APPROVAL_TAG,
  REVIEW_TAG,
  TAG_PREFIX,
  parseAudit,
  parseReview,
  policyOf,
} from './review.ts';
export { pyJsonDumps } from './py-json.ts';
export type {
  ActionResult,
  AuditEntry,
  AuditGate,
  PromoteInput,
  AuditLog,
  ModelPolicy,
  RegisteredAs,
  RegisterInput,
  RegistryActionResult,
  RegistryCapability,
  RegistryReview,
  RequestStatus,
  ReviewState,
  RunModelCandidate,
  RunModels,
  TransitionRequest,
  VersionReview,
  RegisterSource,
  RegistryActionKind,
  RegistryChange,
  TransitionInput,
  WriteCapability,
  WriteHooks,
} from './types.ts';
