/**
 * `flywheel check`: validates the spec, runs the falsifiability lint, then
 * states what the framing implies on the data: the break-even threshold, the
 * base rate, and the cost of the "always negative" and "always positive"
 * policies per split.
 */
import { DuckSession, prepareDataset } from '../data/index.js';
import {
  breakEvenThreshold,
  lintSpec,
  loadSpec,
  type PolicyCosts,
  type SpecIssue,
  specError,
  trivialPolicyCosts,
} from '../spec/index.js';

export interface SplitImplication extends PolicyCosts {
  readonly split: string;
}

export interface CheckReport {
  readonly ok: true;
  readonly spec: {
    readonly file: string;
    readonly name: string;
    readonly task: string;
    readonly hash: string;
  };
  readonly warnings: readonly SpecIssue[];
  readonly implications: {
    readonly currency: string;
    readonly costs?: { tp: number; fp: number; fn: number; tn: number };
    /** Binary: act when the predicted probability is above this. */
    readonly breakEvenThreshold?: number;
    readonly capacity?: { max_positives: number; per: string };
    readonly data?: {
      readonly rows: number;
      readonly unassigned: number;
      readonly splits: readonly SplitImplication[];
    };
  };
}

/**
 * Checks a project's spec and, unless `data` is false, its data.
 *
 * @example
 * const report = await checkProject('examples/flights');
 * console.log(report.implications.breakEvenThreshold);
 */
export async function checkProject(
  target = '.',
  options: { data?: boolean } = {},
): Promise<CheckReport> {
  const loaded = loadSpec(target);
  const issues = lintSpec(loaded);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw specError(issues, 'SPEC_NOT_FALSIFIABLE');
  const { spec } = loaded;
  const costs = spec.task === 'binary' ? spec.business.costs : undefined;
  const threshold = costs ? breakEvenThreshold(costs) : undefined;
  let data: NonNullable<CheckReport['implications']['data']> | undefined;
  if (options.data !== false) {
    const session = await DuckSession.open();
    try {
      const prepared = await prepareDataset(session, loaded);
      data = {
        rows: prepared.rows,
        unassigned: prepared.unassigned,
        splits: prepared.splits.map((s) => ({
          split: s.split,
          ...trivialPolicyCosts(s.labelled, s.positives, costs ?? { tp: 0, fp: 0, fn: 0, tn: 0 }),
        })),
      };
    } finally {
      session.close();
    }
  }
  return {
    ok: true,
    spec: { file: loaded.file, name: spec.name, task: spec.task, hash: loaded.hash },
    warnings: issues.filter((i) => i.severity === 'warning'),
    implications: {
      currency: spec.business.currency,
      ...(costs ? { costs } : {}),
      ...(threshold === undefined ? {} : { breakEvenThreshold: threshold }),
      ...(spec.business.capacity ? { capacity: spec.business.capacity } : {}),
      ...(data ? { data } : {}),
    },
  };
}
