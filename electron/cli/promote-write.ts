// `runsight promote`: the write — the promotion (register the candidate if needed, move the stage
// or alias, or request the transition) and its `promote` audit entry in one registry transaction
// (registry-writer.ts → promote); with --audit-failures a failed decision is recorded alone.
import type { Engine } from '../engine/engine.ts';
import type { StoreInfo } from '../engine/model.ts';
import type { RegisterSource } from '../engine/registry/types.ts';
import { classify } from './ci-common.ts';
import type { PromoteRequest, PromoteValues } from './promote-args.ts';
import type { Decision } from './promote-decision.ts';
import { auditGate, type GateResult } from './promote-gates.ts';
import type { Candidate, Incumbent } from './promote-subjects.ts';

export interface Evaluated {
  candidate: Candidate;
  incumbent: Incumbent | null;
  results: GateResult[];
  passed: boolean;
}

/**
 * Writes what the decision calls for (nothing on a dry run, nothing for a failed gate unless
 * --audit-failures names an existing version) and records the outcome in `decision`. Returns the
 * error that stopped the write — nothing was written then (one transaction) — or null.
 */
export async function writeDecision(engine: Engine, info: StoreInfo, req: PromoteRequest, values: PromoteValues, e: Evaluated, decision: Decision): Promise<unknown> {
  const { candidate, incumbent, results, passed } = e;
  let failure: unknown = null;
  if (!values['dry-run'] && (passed || (values['audit-failures'] && candidate.version !== null))) {
    const { RegistryService } = await import('../engine/registry/index.ts');
    const svc = new RegistryService(engine, { busyTimeoutMs: req.busyTimeoutMs });
    try {
      const r = await svc.promote(info.id, {
        name: req.model,
        user: req.actor,
        candidate: candidate.version ? { version: candidate.version.version } : { register: { runId: candidate.run.runId, source: candidate.register as RegisterSource } },
        target: req.target,
        requestApproval: values['require-approval'],
        comment: values.comment ?? null,
        against: incumbent ? { ref: req.against as string, version: incumbent.version.version } : null,
        decision: passed ? 'passed' : 'failed',
        gates: results.map(auditGate),
        apply: passed,
      });
      decision.applied = passed;
      decision.recorded = true;
      decision.summary = r.summary;
      decision.candidate.version = r.version;
    } catch (err) {
      failure = err;
    }
  }
  if (failure !== null) {
    // Nothing was written (one transaction): report the decision as not applied, then the error.
    decision.changes = [];
    const { code, message } = classify(failure);
    decision.error = { exitCode: code, message };
  }
  return failure;
}
