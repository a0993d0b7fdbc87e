// `runsight promote` — the CI gate before a model version replaces the incumbent: pick the
// candidate (a version, a run, or the best run by a metric), check gates on the metrics the runs
// logged (thresholds; gains over the incumbent named by --against), then move the stage / alias,
// or request the transition through the review flow, in one registry transaction with a `promote`
// audit entry (registry-writer.ts → promote). A failed gate writes nothing (exit 1); --dry-run
// prints what would change and writes nothing. Exit codes in ci-common.ts.
//
// One module per job: promote-args.ts (the command line, checked before the store is read),
// promote-subjects.ts (candidate and incumbent from the registry), promote-gates.ts (the gates),
// promote-decision.ts (what would change; the human, Markdown and JSON reports), promote-write.ts
// (the transaction and its audit entry). This file runs them in that order.
import { writeFile } from 'node:fs/promises';
import { EXIT, openStore, processOut, reportFailure, warnDiagnostics, type Out } from './ci-common.ts';
import { toJson } from './json-out.ts';
import { PROMOTE_USAGE, promoteRequest, readPromoteOptions } from './promote-args.ts';
import { humanReport, markdownReport, plannedChanges, type Decision } from './promote-decision.ts';
import { evalGain, evalRequire, type GateResult } from './promote-gates.ts';
import { findCandidate, findIncumbent, maxVersion } from './promote-subjects.ts';
import { writeDecision } from './promote-write.ts';

export { PROMOTE_USAGE } from './promote-args.ts';
export { markdownReport } from './promote-decision.ts';
export type { GateResult } from './promote-gates.ts';

export async function runPromoteCommand(argv: string[], out: Out = processOut): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = readPromoteOptions(argv);
    json = values.json;
    if (values.help) {
      out.stdout(PROMOTE_USAGE);
      return EXIT.ok;
    }
    // ---- the whole command line is checked before the store is read ----
    const req = promoteRequest(values, positionals);
    const { model, against, target } = req;

    const { engine, info, dispose } = await openStore(req.store);
    try {
      warnDiagnostics(engine, 'promote', out);
      const registered = engine.index.getRegisteredModel({ storeId: info.id, name: model });
      const candidate = await findCandidate(engine, info, registered, req, values);
      const incumbent = findIncumbent(engine, info, registered, req);
      // ---- the gates ----
      const results: GateResult[] = [
        ...req.requires.map((g) => evalRequire(g, candidate.run)),
        ...req.gains.map((g) => evalGain(g, candidate.run, incumbent?.run ?? null, incumbent?.version.version ?? null)),
      ];
      const passed = results.every((g) => g.passed);
      const nextVersion = candidate.version ? candidate.version.version : maxVersion(registered) + 1;
      const changes = plannedChanges({
        model,
        registered,
        candidate,
        nextVersion,
        target,
        requestApproval: values['require-approval'],
      });
      const decision: Decision = {
        decision: passed ? 'passed' : 'failed',
        applied: false,
        dryRun: values['dry-run'],
        requestedApproval: values['require-approval'],
        store: info.path,
        model,
        candidate: {
          version: candidate.version?.version ?? null,
          registered: candidate.version !== null,
          runId: candidate.run.runId,
          runName: candidate.run.runName,
          status: candidate.run.status,
        },
        target: 'stage' in target ? { stage: target.stage, archiveExisting: target.archiveExisting, alias: null } : { stage: null, archiveExisting: false, alias: target.alias },
        against: incumbent ? { ref: against as string, version: incumbent.version.version, runId: incumbent.version.runId } : null,
        gates: results,
        changes: passed ? changes : [],
        actor: req.actor,
        summary: null,
        recorded: false,
      };

      // ---- write (or not) ----
      const failure = await writeDecision(engine, info, req, values, { candidate, incumbent, results, passed }, decision);
      if (values.report) await writeFile(values.report, markdownReport(decision));
      if (json) out.stdout(`${toJson(decision)}\n`);
      else out.stdout(humanReport(decision));
      if (failure !== null) return reportFailure('promote', failure, out, false, null);
      if (!passed) {
        const failed = results.filter((g) => !g.passed).map((g) => `${g.gate}${g.reason ? ` (${g.reason})` : ''}`);
        out.stderr(`runsight promote: gate failed: ${failed.join('; ')}${decision.recorded ? ' (decision recorded in the audit trail)' : '; nothing was written'}\n`);
        return EXIT.gateFailed;
      }
      return EXIT.ok;
    } finally {
      await dispose();
    }
  } catch (e) {
    return reportFailure('promote', e, out, json, PROMOTE_USAGE);
  }
}
