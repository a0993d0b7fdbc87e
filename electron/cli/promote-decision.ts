// `runsight promote`: the decision — what would change, and how it is reported (the human text on
// stdout, the Markdown of --report; --json prints the Decision itself).
import type { ModelVersion, RegisteredModel, Run } from '../engine/model.ts';
import type { GateResult } from './promote-gates.ts';

export interface Decision {
  decision: 'passed' | 'failed';
  applied: boolean;
  dryRun: boolean;
  requestedApproval: boolean;
  store: string;
  model: string;
  candidate: { version: number | null; registered: boolean; runId: string; runName: string; status: string };
  target: { stage: string | null; archiveExisting: boolean; alias: string | null };
  against: { ref: string; version: number; runId: string | null } | null;
  gates: GateResult[];
  changes: string[];
  actor: string;
  summary: string | null;
  /** A write was made (the change, or a failed decision with --audit-failures). */
  recorded: boolean;
  error?: { exitCode: number; message: string };
}

export function plannedChanges(a: {
  model: string;
  registered: RegisteredModel | null;
  candidate: { version: ModelVersion | null; run: Run; registerLabel: string | null };
  nextVersion: number;
  target: { stage: string; archiveExisting: boolean } | { alias: string };
  requestApproval: boolean;
}): string[] {
  const out: string[] = [];
  const v = a.nextVersion;
  const from = a.candidate.version?.currentStage ?? 'None';
  if (!a.candidate.version) out.push(`register ${a.candidate.registerLabel} of run ${a.candidate.run.runId} as ${a.model} v${v}${a.registered ? '' : ' (new registered model)'}`);
  if ('stage' in a.target) {
    if (a.requestApproval) out.push(`request moving ${a.model} v${v} from ${from} to ${a.target.stage} (review flow: applied when a reviewer approves)`);
    else {
      out.push(from === a.target.stage ? `${a.model} v${v} stays in ${a.target.stage}` : `move ${a.model} v${v} from ${from} to ${a.target.stage}`);
      if (a.target.archiveExisting) {
        const stage = a.target.stage;
        for (const o of a.registered?.versions ?? []) if (o.version !== v && o.currentStage === stage) out.push(`archive ${a.model} v${o.version} (was ${stage})`);
      }
    }
  } else {
    const before = a.registered?.aliases[a.target.alias];
    out.push(
      before === undefined
        ? `set alias @${a.target.alias} on ${a.model} v${v}`
        : before === v
          ? `alias @${a.target.alias} already on ${a.model} v${v}`
          : `move alias @${a.target.alias} of ${a.model} from v${before} to v${v}`,
    );
  }
  out.push(`append the decision to the audit trail of ${a.model} v${v} (tag runsight.audit)`);
  return out;
}

function fmt(v: number | string | null, kind?: GateResult['kind']): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (kind === 'min-rel-gain') return `${Number((v * 100).toPrecision(6))}%`;
  return String(Number(v.toPrecision(6)));
}

function verdictLine(d: Decision): string {
  if (d.error) return `not applied: ${d.error.message}`;
  if (d.decision === 'failed') return d.recorded ? 'gate failed — nothing changed (decision recorded in the audit trail)' : 'gate failed — nothing was written';
  if (d.dryRun) return 'passed — dry run, nothing was written';
  return d.requestedApproval ? 'passed — transition requested for review' : 'passed — applied';
}

export function humanReport(d: Decision): string {
  const lines: string[] = [];
  const cand = d.candidate.version !== null && d.candidate.registered ? `v${d.candidate.version} (run ${d.candidate.runId})` : `run ${d.candidate.runId} (${d.candidate.runName})`;
  lines.push(`${d.model}: candidate ${cand}${d.against ? `, against ${d.against.ref} = v${d.against.version}` : ''}`);
  for (const g of d.gates) {
    const cmp = g.kind === 'require' ? `${fmt(g.observed)} ${g.op} ${g.threshold}` : `gain ${fmt(g.observed, g.kind)} (${fmt(g.candidate)} vs ${fmt(g.incumbent)}) >= ${fmt(g.threshold, g.kind)}`;
    lines.push(`  ${g.passed ? 'PASS' : 'FAIL'}  ${g.gate}: ${cmp}${g.reason ? ` — ${g.reason}` : ''}`);
  }
  if (d.gates.length === 0) lines.push('  (no gates)');
  lines.push(`Decision: ${verdictLine(d)}`);
  if (d.changes.length > 0) {
    lines.push(d.applied ? 'Changed:' : d.dryRun ? 'Would change:' : 'Changes:');
    for (const c of d.changes) lines.push(`  - ${c}`);
  }
  return `${lines.join('\n')}\n`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(d: Decision): string {
  const ok = d.decision === 'passed' && !d.error;
  const lines: string[] = [];
  lines.push(`### Runsight promotion gate: ${ok ? 'passed ✅' : 'failed ❌'} — \`${mdEscape(d.model)}\``);
  lines.push('');
  const cand = d.candidate.registered ? `v${d.candidate.version} · run \`${d.candidate.runId}\` (${mdEscape(d.candidate.runName)})` : `run \`${d.candidate.runId}\` (${mdEscape(d.candidate.runName)}), not registered yet`;
  const target = d.target.stage ? `stage **${d.target.stage}**${d.target.archiveExisting ? ' (archive existing)' : ''}` : `alias **@${mdEscape(d.target.alias ?? '')}**`;
  lines.push(`- Candidate: ${cand}`);
  lines.push(`- Target: ${target}${d.requestedApproval ? ' — through review' : ''}`);
  if (d.against) lines.push(`- Against: \`${mdEscape(d.against.ref)}\` = v${d.against.version}${d.against.runId ? ` · run \`${d.against.runId}\`` : ''}`);
  lines.push(`- Decision: **${verdictLine(d)}**${d.actor ? ` · by ${mdEscape(d.actor)}` : ''}`);
  lines.push('');
  if (d.gates.length > 0) {
    lines.push('| Gate | Candidate | Incumbent | Observed | Threshold | Result |');
    lines.push('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const g of d.gates) {
      const thr = g.kind === 'require' ? `${g.op} ${g.threshold}` : `≥ ${fmt(g.threshold, g.kind)}`;
      const observed = g.kind === 'require' ? fmt(g.observed) : `${fmt(g.observed, g.kind)} (${g.direction === 'max' ? 'higher' : 'lower'} is better)`;
      lines.push(
        `| \`${mdEscape(g.gate)}\` | ${fmt(g.candidate)} | ${g.kind === 'require' ? '' : fmt(g.incumbent)} | ${observed} | ${thr} | ${g.passed ? '✅ pass' : `❌ fail${g.reason ? ` — ${mdEscape(g.reason)}` : ''}`} |`,
      );
    }
    lines.push('');
  } else {
    lines.push('No gates were given.');
    lines.push('');
  }
  if (d.changes.length > 0) {
    lines.push(d.applied ? '**Changed:**' : d.dryRun ? '**Would change (dry run):**' : '**Changes:**');
    for (const c of d.changes) lines.push(`- ${mdEscape(c)}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

