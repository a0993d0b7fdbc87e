// The registry actions, written once against RegistryTx and run inside one transaction per action:
// SQLite → one BEGIN IMMEDIATE transaction; file store → ordered atomic file writes (file-tx.ts).
// Every action:
//   - validates its input with MLflow's rules before touching anything (rules.ts);
//   - records each write with the value it replaced, so that undoLast() can restore it — after
//     checking that nobody changed those values since (else WRITE_CONFLICT, nothing written);
//   - appends an audit entry to the version (or model) it touched, in the same transaction
//     (review.ts; the audit itself is never undone: undo appends an `undo` entry);
//   - bumps last_updated of the version (when MLflow does) and of the registered model.
// Writes to one store are serialised inside this process; between processes the store's own
// mechanism decides (SQLite locks; version-folder renames in the file store).
//
// The writer's face; the work is in:
//   registry-actions.ts         the actions (the RegistryWriter implementation), undo stack
//   registry-register.ts        registering a run's model as a new version
//   registry-promote.ts         a gated promotion (runsight promote)
//   registry-backends.ts        probing, locking, one transaction per store kind
//   registry-recorder.ts        writes recorded for undo, audit entries
//   registry-action-helpers.ts  shared steps (load, transition, requests, aliases, soft delete, ...)
//   registry-undo.ts            reverting the last action
export { createRegistryWriter, type RegisterResult, type RegistryWriter, type RegistryWriterOptions, type RequestResult } from './registry-actions.ts';
export { appendModelVersion } from './registry-action-helpers.ts';
