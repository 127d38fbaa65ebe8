/**
 * Turns a run's results (framing, data description, data checks, ladder,
 * evaluation, slices, verdict) into the plain ReportInput the HTML report
 * renders.
 */
import type { DataDescription } from '../data/index.js';
import type { GateVerdict, ModelEvaluation, SliceReport } from '../evaluate/index.js';
import type { RungRecord } from '../models/index.js';
import type { IntervalValue, ReportDataChecks, ReportInput } from '../report/index.js';
import type { Spec } from '../spec/index.js';

export interface ReportSources {
  readonly spec: Spec;
  readonly runId: string;
  readonly description: DataDescription;
  readonly ladder: readonly RungRecord[];
  readonly chosen: string;
  readonly evaluation: ModelEvaluation;
  readonly baselines: readonly ModelEvaluation[];
  readonly slices: readonly SliceReport[];
  readonly verdict: GateVerdict;
  readonly breakEven: number | undefined;
  /** Step 3: the snapshot's lineage, the data checks' findings and the learning curve. */
  readonly dataChecks?: ReportDataChecks;
}

const finite = (x: number | null | undefined): number =>
  x === null || x === undefined || !Number.isFinite(x) ? Number.NaN : x;

function metricsOf(e: ModelEvaluation): Record<string, IntervalValue> {
  const out: Record<string, IntervalValue> = {};
  for (const m of e.metrics) {
    out[m.label] = m.interval
      ? { estimate: m.value, lo: m.interval.lower, hi: m.interval.upper }
      : { estimate: m.value };
  }
  return out;
}

function acceptanceLines(spec: Spec): string[] {
  const a = spec.acceptance;
  const level = `${Math.round(a.confidence * 100)}% confidence`;
  const lines = Object.entries(a.metrics).map(([name, b]) => {
    const parts = [b.min === undefined ? '' : `≥ ${b.min}`, b.max === undefined ? '' : `≤ ${b.max}`]
      .filter(Boolean)
      .join(' and ');
    return `${name} ${parts} at ${level}`;
  });
  if (a.lift_over_baseline) {
    lines.push(
      `${a.lift_over_baseline.metric} at least ${(100 * a.lift_over_baseline.min).toFixed(1)}% better than the best baseline, at ${level}`,
    );
  }
  return lines;
}

/**
 * The declared fields only: a snapshot without its manifest's profile and
 * schema, findings without their evidence (label-issue examples can be
 * large), a learning curve without its timings.
 */
function dataChecksOf(d: ReportDataChecks): ReportDataChecks {
  const { snapshot, learningCurve: curve } = d;
  const g = snapshot.governance;
  return {
    snapshot: {
      id: snapshot.id,
      rows: snapshot.rows,
      size: snapshot.size,
      createdAt: snapshot.createdAt,
      sources: snapshot.sources.map((x) => ({
        name: x.name,
        files: x.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      })),
      features: snapshot.features.map((f) => ({ name: f.name, version: f.version })),
      ...(g
        ? {
            governance: {
              dropped: [...g.dropped],
              hashed: [...g.hashed],
              counts: {
                total: g.counts.total,
                kept: g.counts.kept,
                withoutConsent: g.counts.withoutConsent,
                pastRetention: g.counts.pastRetention,
              },
            },
          }
        : {}),
    },
    findings: d.findings.map((f) => ({
      check: f.check,
      ...(f.column === undefined ? {} : { column: f.column }),
      severity: f.severity,
      message: f.message,
      ...(f.acknowledged === undefined ? {} : { acknowledged: f.acknowledged }),
    })),
    ...(curve
      ? {
          learningCurve: {
            metric: curve.metric,
            better: curve.better,
            rung: curve.rung,
            points: curve.points.map((p) => ({ rows: p.rows, value: p.value })),
            ...(curve.fit ? { fit: curve.fit } : {}),
            ...(curve.fitted === undefined ? {} : { fitted: curve.fitted }),
            ...(curve.predictedAtDouble === undefined
              ? {}
              : { predictedAtDouble: curve.predictedAtDouble }),
            ...(curve.gainAtDouble === undefined ? {} : { gainAtDouble: curve.gainAtDouble }),
            plateau: curve.plateau,
            validationSampled: curve.validationSampled,
            validationRows: curve.validationRows,
          },
        }
      : {}),
  };
}

/** The ReportInput for one run. */
export function buildReportInput(s: ReportSources): ReportInput {
  const { spec } = s;
  const roc: Record<string, { x: number; y: number }[]> = {};
  const pr: Record<string, { x: number; y: number }[]> = {};
  for (const e of [s.evaluation, ...s.baselines]) {
    if (!e.curves) continue;
    const name = e.name ?? 'model';
    roc[name] = e.curves.roc.map((p) => ({ x: p.fpr, y: p.tpr }));
    pr[name] = e.curves.pr.map((p) => ({ x: p.recall, y: p.precision }));
  }
  const decision = s.evaluation.decision;
  const threshold = decision?.policy.kind === 'threshold' ? decision.policy.threshold : undefined;
  const cost = decision?.costCurve
    .filter(
      (p) =>
        p.threshold !== null &&
        Number.isFinite(p.threshold) &&
        p.threshold >= 0 &&
        p.threshold <= 1,
    )
    .map((p) => ({ threshold: p.threshold as number, cost: p.perDecision }));
  const slice = s.slices[0];
  const hasCurves = Object.keys(roc).length > 0;
  return {
    title: `${spec.name} — run report`,
    generatedAt: new Date().toISOString(),
    runId: s.runId,
    framing: {
      name: spec.name,
      task: spec.task,
      ...(spec.description ? { description: spec.description } : {}),
      target: spec.target.positive ?? spec.target.column,
      decision: spec.business.decision,
      currency: spec.business.currency,
      ...(spec.business.costs ? { costs: spec.business.costs } : {}),
      ...(s.breakEven === undefined ? {} : { breakEvenThreshold: s.breakEven }),
      acceptance: acceptanceLines(spec),
    },
    data: {
      rows: s.description.rows,
      splits: s.description.splits.map((x) => ({
        split: x.split,
        rows: x.rows,
        baseRate: x.baseRate,
      })),
      columns: s.description.columns.map((c) => ({
        name: c.name,
        role: c.role,
        type: c.type,
        missingRate: c.missingRate,
      })),
    },
    ...(s.dataChecks ? { dataChecks: dataChecksOf(s.dataChecks) } : {}),
    ladder: s.ladder.map((r) => ({
      name: r.name,
      kind: r.kind,
      score: finite(r.score),
      ...(r.auc === undefined ? {} : { auc: r.auc }),
      trainSeconds: r.trainSeconds,
      latencyP99Us: finite(r.latencyP99Us),
      decision: r.decision,
      reason: r.reason,
    })),
    chosen: s.chosen,
    models: [s.evaluation, ...s.baselines].map((e) => ({
      name: e.name ?? 'model',
      metrics: metricsOf(e),
    })),
    curves: {
      ...(hasCurves ? { roc, pr } : {}),
      ...(s.evaluation.curves?.reliability
        ? {
            reliability: s.evaluation.curves.reliability.map((b) => ({
              predicted: b.meanPredicted,
              observed: b.observedRate,
              count: b.rows,
            })),
          }
        : {}),
      ...(cost && cost.length > 0 ? { cost } : {}),
      ...(threshold !== undefined && Number.isFinite(threshold)
        ? { chosenThreshold: threshold }
        : {}),
    },
    ...(slice
      ? {
          slices: {
            column: slice.column,
            metric: slice.metric,
            rows: slice.slices.map((x) => {
              const m = x.metrics[0]!;
              return {
                value: x.value ?? '(missing)',
                n: x.rows,
                metric: m.interval
                  ? { estimate: m.estimate, lo: m.interval.lower, hi: m.interval.upper }
                  : { estimate: m.estimate },
                flagged: x.flagged,
              };
            }),
          },
        }
      : {}),
    verdict: {
      passed: s.verdict.passed,
      confidence: s.verdict.confidence,
      criteria: s.verdict.criteria.map((c) => ({
        name: c.name,
        estimate: c.estimate,
        interval: c.interval,
        bound: `${c.side} ${c.bound}`,
        passed: c.passed,
        explanation: c.explanation,
      })),
    },
  };
}
