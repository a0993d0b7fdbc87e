// The engine's one error class: a code from the contract (model.ts ErrorCode) and a message for
// people. It has its own module so the registry, the readers and the report need not import the
// Engine facade (and all it pulls in) to throw one; engine.ts re-exports it.
import type { ErrorCode } from './model.ts';

export type EngineErrorCode = ErrorCode;

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
