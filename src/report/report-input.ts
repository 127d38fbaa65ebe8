/**
 * What the HTML report shows: a plain, JSON-safe description of one
 * `flywheel run`, built by the pipeline from the framing, the data, the
 * ladder, the evaluation and the gate verdict. The report module knows
 * nothing else, so it can be tested on its own.
 */

export interface IntervalValue {
  readonly estimate: number;
  readonly lo?: number;
  readonly hi?: number;
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
