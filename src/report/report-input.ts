/**
 * What the HTML report shows: a plain, JSON-safe description of one
 * `flywheel run`, built by the pipeline from the framing, the data and its
 * checks, the ladder, the evaluation and the gate verdict. The report module
 * knows nothing else, so it can be tested on its own.
 */

export interface IntervalValue {
  readonly estimate: number;
  readonly lo?: number;
  readonly hi?: number;
}

export type ReportSeverity = 'info' | 'warn' | 'block';

/** One data-check finding, as the report shows it (no evidence). */
export interface ReportFinding {
  readonly check: string;
  readonly column?: string;
  readonly severity: ReportSeverity;
  readonly message: string;
  /** The spec's reason, when a blocking finding was acknowledged (and downgraded to warn). */
  readonly acknowledged?: string;
}

/** The dataset snapshot a run trained on, and where its rows came from. */
export interface ReportSnapshot {
  /** sha256 of the Parquet snapshot. */
  readonly id: string;
  readonly rows: number;
  /** Bytes. */
  readonly size: number;
  readonly createdAt: string;
  readonly sources: readonly {
    readonly name: string;
    readonly files: readonly { readonly path: string; readonly sha256: string }[];
  }[];
  /** Point-in-time features and the version (definition hash) each was built with. */
  readonly features: readonly { readonly name: string; readonly version: string }[];
  /** What governance did on the way in; rows may be both without consent and past retention. */
  readonly governance?: {
    readonly dropped: readonly string[];
    readonly hashed: readonly string[];
    readonly counts: {
      readonly total: number;
      readonly kept: number;
      readonly withoutConsent: number;
      readonly pastRetention: number;
    };
  };
}

/** A learning curve: one rung trained on nested subsets, scored on validation. */
export interface ReportLearningCurve {
  readonly metric: string;
  readonly better: 'higher' | 'lower';
  readonly rung: string;
  readonly points: readonly { readonly rows: number; readonly value: number }[];
  /**
   * err(n) = a·n^(−b) + c on the error scale: 1 − metric for higher-is-better
   * metrics (bounded by 1: roc_auc, pr_auc, r2), the metric itself for
   * lower-is-better ones.
   */
  readonly fit?: {
    readonly a: number;
    readonly b: number;
    readonly c: number;
    readonly r2: number;
  };
  /** The fitted metric at the training rows, and at twice as many. */
  readonly fitted?: number;
  readonly predictedAtDouble?: number;
  /** What doubling the data would buy, in metric units, positive when better. */
  readonly gainAtDouble?: number;
  readonly plateau: boolean;
  readonly validationSampled: boolean;
  readonly validationRows: number;
}

/** Step 3 of the lifecycle: the snapshot's lineage, the data checks' findings, the learning curve. */
export interface ReportDataChecks {
  readonly snapshot: ReportSnapshot;
  readonly findings: readonly ReportFinding[];
  readonly learningCurve?: ReportLearningCurve;
}

export interface ReportInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly runId?: string;
  readonly framing: {
    readonly name: string;
    readonly task: string;
    readonly description?: string;
    readonly target: string;
    readonly decision: string;
    readonly currency: string;
    readonly costs?: {
      readonly tp: number;
      readonly fp: number;
      readonly fn: number;
      readonly tn: number;
    };
    readonly breakEvenThreshold?: number;
    readonly acceptance: readonly string[];
  };
  readonly data: {
    readonly rows: number;
    readonly splits: readonly {
      readonly split: string;
      readonly rows: number;
      readonly baseRate: number | null;
    }[];
    readonly columns: readonly {
      readonly name: string;
      readonly role: string;
      readonly type: string;
      readonly missingRate: number;
    }[];
  };
  /** The data checks of step 3; absent for runs before them (nothing extra is rendered). */
  readonly dataChecks?: ReportDataChecks;
  readonly ladder: readonly {
    readonly name: string;
    readonly kind: string;
    readonly score: number;
    readonly auc?: number;
    readonly trainSeconds: number;
    readonly latencyP99Us: number;
    readonly decision: string;
    readonly reason: string;
  }[];
  readonly chosen: string;
  /** Test-set metrics per model (the chosen model and the best baseline at least). */
  readonly models: readonly {
    readonly name: string;
    readonly metrics: Readonly<Record<string, IntervalValue>>;
  }[];
  readonly curves: {
    readonly roc?: Readonly<Record<string, readonly { readonly x: number; readonly y: number }[]>>;
    readonly pr?: Readonly<Record<string, readonly { readonly x: number; readonly y: number }[]>>;
    readonly reliability?: readonly {
      readonly predicted: number;
      readonly observed: number;
      readonly count: number;
    }[];
    readonly cost?: readonly { readonly threshold: number; readonly cost: number }[];
    readonly chosenThreshold?: number;
  };
  readonly slices?: {
    readonly column: string;
    readonly metric: string;
    readonly rows: readonly {
      readonly value: string;
      readonly n: number;
      readonly metric: IntervalValue;
      readonly flagged: boolean;
    }[];
  };
  readonly verdict: {
    readonly passed: boolean;
    readonly confidence: number;
    readonly criteria: readonly {
      readonly name: string;
      readonly estimate: number;
      readonly interval: readonly [number, number];
      readonly bound: string;
      readonly passed: boolean;
      readonly explanation: string;
    }[];
  };
}
