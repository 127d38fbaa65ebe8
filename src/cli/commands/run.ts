/** `flywheel run`: check → data → baselines → ladder → evaluate → gate → record → report. */
import path from 'node:path';
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { type RunResult, runProject } from '../../pipeline/index.js';
import { renderFindings } from '../findings.js';
import { ExitWith, fmt, formatTable, type Io, printJson } from '../output.js';
import { parseSeed, trainingHooks } from '../training-hooks.js';
import { renderTrain } from './train.js';

export function runCommand(io: Io): Command {
  return new Command('run')
    .description(
      'run steps 1–5: check, data checks and snapshot, baselines, ladder, evaluate on test, gate, report; register the chosen model (exit 3 on blocking data findings, 4 when the gate fails)',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--seed <n>', 'random seed (default: models.seed or 42)', parseSeed)
    .option('--report <file>', 'where to write the HTML report (default: reports/<run id>.html)')
    .option('--snapshot <id>', 'use a recorded data snapshot (id or prefix) instead of the sources')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON (the verdict and where the report is)')
    .action(
      async (
        target: string,
        opts: { seed?: number; report?: string; store?: string; snapshot?: string; json?: boolean },
      ) => {
        const hooks = trainingHooks(io, !opts.json);
        const result = await runProject(target, {
          ...(opts.seed === undefined ? {} : { seed: opts.seed }),
          ...(opts.store === undefined ? {} : { store: opts.store }),
          ...(opts.snapshot === undefined ? {} : { snapshot: opts.snapshot }),
          ...(opts.report === undefined ? {} : { reportPath: opts.report }),
          ...hooks,
        });
        hooks.stop();
        if (opts.json) printJson(io, runSummary(result));
        else io.out(renderRun(result));
        if (!result.verdict.passed) throw new ExitWith(ExitCode.gateFailed);
      },
    );
}

export function runSummary(r: RunResult) {
  return {
    runId: r.runId,
    snapshot: r.dataChecks?.snapshot.id,
    findings: r.dataChecks?.findings,
    learningCurve: r.dataChecks?.learningCurve,
    chosen: r.train.chosen,
    blessed: r.blessed,
    registered: r.registered,
    verdict: r.verdict,
    report: r.reportPath,
    test: Object.fromEntries(
      r.evaluation.metrics.map((m) => [
        m.label,
        m.interval
          ? { estimate: m.value, lower: m.interval.lower, upper: m.interval.upper }
          : { estimate: m.value },
      ]),
    ),
    decision: r.evaluation.decision?.policy,
    ladder: r.train.rungs.map((x) => ({
      name: x.name,
      kind: x.kind,
      score: x.score,
      auc: x.auc,
      decision: x.decision,
      reason: x.reason,
      runId: x.runId,
    })),
  };
}

export function renderRun(r: RunResult, options: { ladder?: boolean } = {}): string {
  const lines: string[] = [];
  if (r.dataChecks) {
    const d = r.dataChecks;
    lines.push(
      `Data: snapshot ${d.snapshot.id.slice(0, 12)} (${d.snapshot.rows.toLocaleString('en-US')} rows)`,
      ...renderFindings(d.findings),
    );
    const c = d.learningCurve;
    if (c?.predictedAtDouble !== undefined && c.fitted !== undefined)
      lines.push(
        `  learning curve (${c.rung}, ${c.metric}): ${fmt(c.points[0]?.value)} at ${c.points[0]?.rows.toLocaleString('en-US')} rows → ${fmt(c.points.at(-1)?.value)} at ${c.trainRows.toLocaleString('en-US')}; twice the rows would give about ${fmt(c.predictedAtDouble)}${c.plateau ? ' (a plateau: more of the same data will not help)' : ''}`,
      );
    lines.push('');
  }
  if (options.ladder !== false) lines.push(renderTrain(r.train), '');
  const metrics = r.evaluation.metrics.map((m) => [
    m.label,
    fmt(m.value),
    m.interval ? `[${fmt(m.interval.lower)}, ${fmt(m.interval.upper)}]` : '-',
  ]);
  lines.push(
    `Test set (${r.evaluation.rows.toLocaleString('en-US')} rows), model ${r.train.chosen}:`,
    formatTable(['metric', 'estimate', 'interval'], metrics, ['l', 'r', 'l']),
    '',
  );
  const policy = r.evaluation.decision?.policy;
  if (policy)
    lines.push(
      `Decision: ${policy.kind === 'threshold' ? `act when score ≥ ${fmt(policy.threshold)} (chosen on ${policy.chosenOn})` : `act on the top ${policy.k} per ${policy.per}`}`,
      '',
    );
  for (const s of r.slices) {
    const worst = s.worst.slice(0, 5).map((v) => v ?? '(missing)');
    lines.push(
      `Slices by ${s.column}: ${s.slices.length} scored; worst by ${s.metric}: ${worst.join(', ')}`,
    );
  }
  lines.push(
    '',
    `Gate verdict: ${r.verdict.passed ? 'PASSED — blessed' : 'FAILED — not blessed'} (at ${Math.round(r.verdict.confidence * 100)}% confidence)`,
  );
  for (const c of r.verdict.criteria) lines.push(`  ${c.passed ? '✓' : '✗'} ${c.explanation}`);
  if (r.registered) {
    const v = `${r.registered.name}@${r.registered.version}`;
    lines.push(
      '',
      `Registered ${v} (${r.registered.blessed ? 'blessed' : 'not blessed'})${r.registered.champion ? `; it is now the champion: flywheel serve answers with it` : r.registered.blessed ? `; promote it with: flywheel models promote ${v} --reason "…" (or canary it with flywheel deploy)` : ''}`,
    );
  }
  lines.push('', `Report: ${path.relative(process.cwd(), r.reportPath) || r.reportPath}`);
  return lines.join('\n');
}
