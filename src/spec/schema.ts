/**
 * The framing spec `flywheel.yaml`, declared once as a zod schema. Validation,
 * the checked-in JSON Schema (`schema/flywheel.schema.json`) and the reference
 * docs (`docs/reference/spec.md`) are all generated from this file.
 */
import { z } from 'zod';

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must start with a letter or _ and hold only letters, digits and _',
  );

const columnName = z.string().min(1).max(256);

const isoDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/,
    'must be an ISO date such as 2001-03-01 or 2001-03-01T00:00:00Z',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real calendar date');

const expression = z.string().min(1).max(4000);

const csvOptions = z
  .strictObject({
    delimiter: z
      .string()
      .min(1)
      .max(4)
      .optional()
      .describe('Field separator; sniffed when absent.'),
    header: z
      .boolean()
      .optional()
      .describe('Whether the first line holds column names; sniffed when absent.'),
    quote: z.string().length(1).optional().describe('Quote character.'),
    escape: z.string().length(1).optional().describe('Escape character inside quotes.'),
    skip_rows: z.number().int().min(0).optional().describe('Lines to skip before the header.'),
    null_values: z
      .array(z.string())
      .optional()
      .describe('Strings read as missing, e.g. ["", "NA"].'),
    date_format: z.string().optional().describe('strftime format for dates, e.g. %d/%m/%Y.'),
    timestamp_format: z.string().optional().describe('strftime format for timestamps.'),
    on_bad_rows: z
      .enum(['fail', 'skip'])
      .default('fail')
      .describe(
        '`fail` stops at the first ragged or unparsable row; `skip` drops them and reports each one.',
      ),
  })
  .describe('CSV reading options; every one is sniffed by DuckDB when absent.');

const source = z
  .strictObject({
    path: z.string().min(1).describe('File path or glob, relative to the spec file.'),
    format: z
      .enum(['csv', 'parquet', 'json', 'ndjson'])
      .optional()
      .describe('File format; inferred from the extension when absent.'),
    csv: csvOptions.optional(),
  })
  .describe('One data file (or glob) exposed to SQL as a view named after its key.');

const data = z
  .strictObject({
    sources: z
      .record(identifier, source)
      .refine((r) => Object.keys(r).length > 0, 'must name at least one source')
      .describe('Named data sources. Each becomes a SQL view of the same name.'),
    query: z
      .string()
      .min(1)
      .optional()
      .describe('DuckDB SQL over the sources; defaults to the single source as it is.'),
    schema: z
      .record(columnName, z.enum(['numeric', 'categorical', 'timestamp']))
      .optional()
      .describe('Column types that override the inferred ones.'),
    max_rows: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Refuse data with more rows than this.'),
  })
  .describe('Where the data comes from.');

const target = z
  .strictObject({
    column: columnName.describe('The column the prediction is about.'),
    positive: expression
      .optional()
      .describe(
        'Binary task: expression that defines a positive, e.g. `delay > 15`. Defaults to the column being true/1.',
      ),
    classes: z
      .array(z.string())
      .min(2)
      .optional()
      .describe('Multiclass task: the class labels, in order.'),
  })
  .describe('What is predicted.');

const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h|d)$/, 'must be a duration such as 30m, 2h or 7d')
  .describe('A duration: a number and a unit (s, m, h, d), e.g. 2h.');

const pointInTimeFeature = z
  .strictObject({
    events: identifier.describe('The event table (a key of `events`) aggregated over.'),
    key: columnName.describe("The dataset column matched to the event table's key, e.g. origin."),
    aggregate: z
      .enum(['count', 'sum', 'mean', 'min', 'max', 'last'])
      .describe('How the events in the window are combined.'),
    column: columnName.optional().describe('The event column aggregated (not needed for `count`).'),
    window: duration.describe('How far back events count, e.g. 2h.'),
    inclusive: z
      .boolean()
      .default(false)
      .describe(
        'Also count events at exactly the prediction time. This leaks when the row itself is an event; the leakage check reports it.',
      ),
  })
  .refine((f) => f.aggregate === 'count' || f.column !== undefined, {
    message: 'needs `column` unless the aggregate is count',
    path: ['column'],
  })
  .describe(
    "A windowed aggregate over an event table, joined as of each row's event time: only events strictly before it count.",
  );

const features = z
  .strictObject({
    include: z
      .array(columnName)
      .optional()
      .describe('Columns used as features; all but target, entity and event time when absent.'),
    exclude: z.array(columnName).optional().describe('Columns never used as features.'),
    derive: z
      .record(identifier, expression)
      .optional()
      .describe('New features as expressions over columns, e.g. `hour: hour(date)`.'),
    point_in_time: z
      .record(identifier, pointInTimeFeature)
      .optional()
      .describe(
        'Point-in-time features: windowed aggregates over event tables, computed as of each row.',
      ),
  })
  .describe('Which inputs the model sees.');

const eventTable = z
  .strictObject({
    source: identifier.optional().describe('A data source holding the events.'),
    query: z
      .string()
      .min(1)
      .optional()
      .describe('DuckDB SQL over the sources producing the events (instead of `source`).'),
    key: columnName.describe('The entity key column of the events, e.g. origin.'),
    time: columnName.describe(
      'When each event became known (not when it was scheduled): only events known before a prediction can feed it.',
    ),
    id: columnName
      .optional()
      .describe(
        'A unique event id, for idempotent ingestion online. Without one, an event is identified by its key, time and values, so two identical events count once.',
      ),
    allowed_lateness: duration
      .default('1h')
      .describe(
        'Online: how far behind the newest event an arriving event may be and still count as on time; later ones are stored but counted and reported as late.',
      ),
    freshness: duration
      .optional()
      .describe('Online: alert when the newest event of this table is older than this (e.g. 15m).'),
  })
  .refine((e) => (e.source === undefined) !== (e.query === undefined), {
    message: 'needs exactly one of `source` or `query`',
  })
  .describe('A table of timestamped events keyed by entity, behind point-in-time features.');

const splitPart = z.strictObject({
  from: isoDate.optional().describe('Inclusive start (event time >= from).'),
  until: isoDate.optional().describe('Exclusive end (event time < until).'),
});

const split = z
  .discriminatedUnion('method', [
    z
      .strictObject({
        method: z.literal('time'),
        train: splitPart,
        validation: splitPart,
        test: splitPart,
      })
      .describe('Split by event time: train on the past, validate and test on later periods.'),
    z
      .strictObject({
        method: z.literal('random'),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .default(42),
        ratios: z
          .strictObject({
            train: z.number().gt(0).lt(1),
            validation: z.number().gt(0).lt(1),
            test: z.number().gt(0).lt(1),
          })
          .default({ train: 0.7, validation: 0.15, test: 0.15 })
          .refine(
            (r) => Math.abs(r.train + r.validation + r.test - 1) < 1e-9,
            'ratios must sum to 1',
          ),
        force: z
          .boolean()
          .default(false)
          .describe(
            'Allow a random split although an event-time column is declared (it leaks the future).',
          ),
      })
      .describe('Random split, reproducible for a seed; grouped by entity when one is declared.'),
  ])
  .describe('How rows are divided into train, validation and test.');

const money = z.number().finite();

const business = z
  .strictObject({
    decision: z.string().min(1).describe('The action taken on a positive prediction.'),
    currency: z.string().min(1).max(8).default('USD'),
    costs: z
      .strictObject({
        tp: money.default(0).describe('Cost of a true positive (negative for a gain).'),
        fp: money.default(0).describe('Cost of a false positive.'),
        fn: money.default(0).describe('Cost of a false negative.'),
        tn: money.default(0).describe('Cost of a true negative.'),
      })
      .optional()
      .describe('Binary task: cost of each outcome, in the currency.'),
    misclassification_cost: money.optional().describe('Multiclass task: cost of a wrong class.'),
    under_cost_per_unit: money
      .nonnegative()
      .optional()
      .describe('Regression: cost per unit the prediction falls short of the truth.'),
    over_cost_per_unit: money
      .nonnegative()
      .optional()
      .describe('Regression: cost per unit the prediction overshoots.'),
    capacity: z
      .strictObject({
        max_positives: z
          .number()
          .int()
          .positive()
          .describe('At most this many positive decisions...'),
        per: z.enum(['day', 'week', 'month', 'batch']).describe('...per this period.'),
      })
      .optional()
      .describe('A limit on positive decisions; the top-k policy is used instead of a threshold.'),
  })
  .describe('The decision and what its outcomes cost: the spine of evaluation.');

const bound = z
  .strictObject({
    min: z
      .number()
      .finite()
      .optional()
      .describe('The metric must be at least this (higher-is-better metrics).'),
    max: z
      .number()
      .finite()
      .optional()
      .describe('The metric must be at most this (lower-is-better metrics).'),
    k: z.number().int().positive().optional().describe('k for @k metrics.'),
  })
  .refine((b) => b.min !== undefined || b.max !== undefined, 'must set min or max');

const acceptance = z
  .strictObject({
    confidence: z
      .number()
      .gt(0.5)
      .lt(1)
      .default(0.95)
      .describe(
        'Confidence level the bounds must hold at (the interval bound, not the point estimate).',
      ),
    metrics: z
      .record(z.string(), bound)
      .describe('Named metrics and their bounds, e.g. `roc_auc: {min: 0.65}`.'),
    lift_over_baseline: z
      .strictObject({
        metric: z.string().describe('Metric compared against the best baseline.'),
        min: z
          .number()
          .finite()
          .describe('Required relative improvement over the best baseline (0.05 = 5%).'),
      })
      .optional(),
  })
  .describe('What the model must achieve to be accepted: stated so it can fail.');

const latencyBudget = z
  .strictObject({
    p50_ms: z.number().positive().optional(),
    p99_ms: z.number().positive().describe('99th percentile of single-row prediction latency.'),
  })
  .describe('How fast one prediction must be served.');

const evaluation = z
  .strictObject({
    slices: z
      .array(columnName)
      .optional()
      .describe('Categorical features to report metrics per value of, e.g. [origin].'),
    min_slice_support: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Slices with fewer labelled rows are not scored.'),
    resamples: z
      .number()
      .int()
      .min(20)
      .max(10000)
      .default(200)
      .describe('Bootstrap resamples for confidence intervals.'),
  })
  .describe('Step 5: how models are evaluated on the test split.');

const baselines = z
  .strictObject({
    rules: z
      .array(
        z.strictObject({
          name: identifier,
          expression: expression.describe('Predicts positive when true.'),
        }),
      )
      .optional(),
  })
  .describe('Step 2: rule baselines, beside the always-trained prior and linear models.');

const models = z
  .strictObject({
    ladder: z.array(z.string().min(1)).optional().describe('Rungs in order of cost.'),
    min_gain: z
      .number()
      .min(0)
      .optional()
      .describe('Move up a rung only while the gain exceeds this.'),
    seed: z.number().int().min(0).optional(),
  })
  .describe('Step 4: modelling (reserved; validated when present).');

const deploy = z
  .strictObject({
    canary: z
      .strictObject({
        weight: z.number().min(0).max(100).describe('Percent of traffic sent to the canary.'),
        interval_s: z.number().int().positive().default(60),
        failed_checks: z.number().int().positive().default(3),
        cost_margin: z
          .number()
          .min(0)
          .optional()
          .describe(
            "How much higher (relative) the canary's realised cost per decision may be than the champion's (default 0.05).",
          ),
        max_score_psi: z
          .number()
          .positive()
          .optional()
          .describe(
            "Highest PSI between the champion's and the canary's scores (default 0.2). A retrained challenger's scores may move with the data by design; the realised cost still judges it.",
          ),
      })
      .optional(),
  })
  .describe('Step 6: deployment (reserved; validated when present).');

const severity = z
  .enum(['page', 'ticket', 'info'])
  .describe('page: someone acts now; ticket: someone looks today; info: recorded only.');

const burnWindow = z.strictObject({
  long: duration.describe('The long window, e.g. 1h.'),
  short: duration.describe(
    'The short window that must agree, e.g. 5m (about 1/12 of the long one).',
  ),
  factor: z
    .number()
    .positive()
    .describe('Burn rate (multiples of the sustainable error rate) both must exceed.'),
  severity,
});

const monitorRules = z
  .strictObject({
    feature_drift: z
      .strictObject({
        enabled: z.boolean().default(true),
        min_importance: z
          .number()
          .min(0)
          .max(1)
          .default(0.02)
          .describe(
            "A drifted feature with a smaller share of the model's importance pages nobody.",
          ),
        severity: severity.default('ticket'),
      })
      .prefault({})
      .describe(
        'A model feature whose distribution moved (Evidently-like tests, `monitor.drift`).',
      ),
    drift_score: z
      .strictObject({
        max: z.number().min(0).max(1).default(0.3),
        severity: severity.default('page'),
      })
      .prefault({})
      .describe('The importance-weighted share of drifted features.'),
    prediction_drift: z
      .strictObject({ enabled: z.boolean().default(true), severity: severity.default('ticket') })
      .prefault({})
      .describe('The score distribution moved from the reference (test scores in training).'),
    positive_rate: z
      .strictObject({
        max_change: z.number().positive().max(1).default(0.1),
        severity: severity.default('ticket'),
      })
      .prefault({})
      .describe(
        'The share of positive decisions moved more than this (absolute) from the reference.',
      ),
    missing_rate: z
      .strictObject({
        max_change: z.number().positive().max(1).default(0.1),
        severity: severity.default('ticket'),
      })
      .prefault({})
      .describe("A feature's missing rate rose more than this (absolute) above the reference."),
    unseen_categories: z
      .strictObject({
        max_rate: z.number().positive().max(1).default(0.05),
        severity: severity.default('ticket'),
      })
      .prefault({})
      .describe('Share of rows whose category was never seen in training.'),
    latency_p99: z
      .strictObject({ enabled: z.boolean().default(true), severity: severity.default('page') })
      .prefault({})
      .describe('The p99 model latency passed `latency_budget.p99_ms`.'),
    error_budget: z
      .strictObject({
        objective: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.999)
          .describe('Share of requests that must succeed, e.g. 0.999.'),
        period: duration.default('30d').describe('The SLO period the budget spans.'),
        windows: z
          .array(burnWindow)
          .min(1)
          .default([
            { long: '1h', short: '5m', factor: 14.4, severity: 'page' },
            { long: '6h', short: '30m', factor: 6, severity: 'page' },
            { long: '3d', short: '6h', factor: 1, severity: 'ticket' },
          ]),
      })
      .prefault({})
      .describe('Multi-window burn-rate alerts on the error budget (SRE workbook).'),
    estimated_cost: z
      .strictObject({
        max: z
          .number()
          .optional()
          .describe('Default: acceptance.metrics.cost_per_decision.max, if set.'),
        severity: severity.default('page'),
      })
      .prefault({})
      .describe('Cost per decision estimated from the calibrated scores, before labels arrive.'),
    realised_cost: z
      .strictObject({
        max: z.number().optional().describe('Default: the estimated_cost bound.'),
        min_labels: z.number().int().positive().default(100),
        severity: severity.default('page'),
      })
      .prefault({})
      .describe('Cost per decision on the labelled predictions of the window.'),
    label_rate: z
      .strictObject({
        max_change: z.number().positive().max(1).default(0.1),
        min_labels: z.number().int().positive().default(100),
        severity: severity.default('ticket'),
      })
      .prefault({})
      .describe('The positive-label rate of the window moved this much (absolute) from training.'),
    feature_freshness: z
      .strictObject({ enabled: z.boolean().default(true), severity: severity.default('ticket') })
      .prefault({})
      .describe('An event table behind online features is older than its `freshness` bound.'),
  })
  .prefault({})
  .describe('Alert rules; every rule has a default and may be tuned or disabled.');

const webhook = z.strictObject({
  url: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
    .describe('Where alerts are POSTed (JSON). Only URLs written here are ever called.'),
  timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  retries: z.number().int().min(0).max(10).default(3),
  on: z
    .array(z.enum(['firing', 'resolved']))
    .min(1)
    .default(['firing', 'resolved'])
    .describe('Which transitions are sent.'),
});

const monitor = z
  .strictObject({
    window: duration.default('1h').describe('The size of a monitoring window.'),
    min_rows: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Windows with fewer predictions are shown but raise no drift alert.'),
    drift: z
      .strictObject({
        psi: z.number().positive().default(0.2),
        jensen_shannon: z.number().positive().max(1).default(0.1),
        wasserstein: z.number().positive().default(0.1),
        p_value: z.number().gt(0).lt(1).default(0.05),
        small_sample: z.number().int().positive().default(1000),
      })
      .prefault({})
      .describe(
        'Drift tests (Evidently defaults): Wasserstein (numerics) and Jensen–Shannon (categoricals) above `small_sample` rows, KS and chi-square below.',
      ),
    rules: monitorRules,
    webhooks: z.array(webhook).default([]).describe('Where alerts are delivered.'),
  })
  .describe('Step 7: monitoring windows over the prediction log, alert rules and their delivery.');

const piiPolicy = z
  .strictObject({
    policy: z
      .enum(['drop', 'hash', 'allow'])
      .describe(
        '`drop` removes the column, `hash` replaces each value by a salted SHA-256, `allow` keeps it as it is (needs a reason).',
      ),
    reason: z.string().min(1).optional().describe('Why the column may be kept or how it is used.'),
  })
  .refine((p) => p.policy !== 'allow' || p.reason !== undefined, {
    message: '`allow` needs a reason',
    path: ['reason'],
  });

const governance = z
  .strictObject({
    pii: z
      .record(columnName, piiPolicy)
      .optional()
      .describe(
        'Policy per column holding personal data. Training refuses a column the PII scan flags that has no policy here.',
      ),
    salt: z
      .string()
      .min(16)
      .optional()
      .describe(
        'Secret salt for `hash` (at least 16 characters); take it from an environment variable, never write it in the spec.',
      ),
    consent: columnName
      .optional()
      .describe('A true/false column: only rows where it is true enter a snapshot.'),
    retention_days: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Rows older than this (by event time) never enter a snapshot; `flywheel governance purge` deletes them from stored logs.',
      ),
    roles: z
      .strictObject({
        read_pii: z.array(z.string().min(1)).default([]),
        register: z.array(z.string().min(1)).default([]),
        deploy: z.array(z.string().min(1)).default([]),
      })
      .optional()
      .describe(
        'Who may read raw PII columns, register models and deploy them (enforced by the server).',
      ),
    scan_rows: z
      .number()
      .int()
      .positive()
      .default(10000)
      .describe('Rows sampled per column by the PII scan.'),
  })
  .describe('Step 3 governance: personal data, consent, retention and roles.');

const checks = z
  .strictObject({
    missing_max: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Warn when a column is missing in more than this share of rows.'),
    imbalance_min: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.01)
      .describe('Warn when the rarest class is below this share of labelled rows.'),
    ranges: z
      .record(
        columnName,
        z
          .strictObject({
            min: z.number().finite().optional(),
            max: z.number().finite().optional(),
          })
          .refine((b) => b.min !== undefined || b.max !== undefined, 'must set min or max'),
      )
      .optional()
      .describe('Declared value ranges; values outside them block.'),
    domains: z
      .record(columnName, z.array(z.string()).min(1))
      .optional()
      .describe('Declared allowed values of categorical columns; others block.'),
    drift: z
      .strictObject({
        psi: z.number().positive().default(0.2),
        jensen_shannon: z.number().positive().max(1).default(0.1),
        wasserstein: z
          .number()
          .positive()
          .default(0.1)
          .describe('In units of the reference standard deviation.'),
        p_value: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.05)
          .describe('KS / chi-square significance, used below `small_sample` rows.'),
        small_sample: z.number().int().positive().default(1000),
      })
      .default({
        psi: 0.2,
        jensen_shannon: 0.1,
        wasserstein: 0.1,
        p_value: 0.05,
        small_sample: 1000,
      })
      .describe('Thresholds for distribution shift between splits (and in monitoring).'),
    label_issues_max: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('Warn when more than this share of training rows look mislabelled.'),
    learning_curve: z
      .boolean()
      .default(true)
      .describe(
        '`flywheel run` fits a cheap model on 10–100% of the training rows to show what more data would buy.',
      ),
    label_issues: z
      .boolean()
      .default(true)
      .describe(
        '`flywheel run` looks for likely mislabelled training rows with out-of-fold predictions (confident learning).',
      ),
    single_feature_auc_max: z
      .number()
      .gt(0.5)
      .max(1)
      .default(0.95)
      .describe('A feature that alone reaches this AUC is treated as leakage.'),
    acknowledge: z
      .record(z.string().min(1), z.string().min(1))
      .optional()
      .describe(
        'Blocking findings accepted with a reason, keyed `check` or `check:column`, e.g. `leakage.id_like:customer_id: "hashed, not an id"`.',
      ),
  })
  .describe('Step 3 data checks: quality, leakage and signal, run before training.');

const retrainPolicy = z
  .strictObject({
    after_labels: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Retrain once this many new labels have arrived since the last retrain.'),
    every: duration
      .optional()
      .describe(
        'Retrain on a schedule: this long after the last retrain (or the first deployment).',
      ),
    on_alerts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Monitoring rules whose firing alert triggers a retrain, e.g. prediction_drift, feature_drift, realised_cost.',
      ),
    cooldown: duration
      .optional()
      .describe(
        'No retrain is triggered sooner than this after the last one (by hand still works).',
      ),
    window: duration
      .default('90d')
      .describe(
        'The data a retrain trains on: labelled predictions (and original rows) this far back.',
      ),
    holdout: duration
      .default('7d')
      .describe(
        'The most recent labelled period: the rows the challenger is gated on against the champion, never trained on.',
      ),
    validation: duration
      .default('7d')
      .describe('The period before the holdout: where the challenger chooses its threshold.'),
    min_labels: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe('A retrain needs at least this many labelled predictions in its window.'),
    min_probability: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.8)
      .describe(
        "The gate: the challenger's cost per decision must be lower than the champion's in at least this share of paired bootstrap resamples.",
      ),
    canary_weight: z
      .number()
      .gt(0)
      .max(100)
      .optional()
      .describe(
        'Percent of traffic a blessed challenger gets as a canary (default: deploy.canary.weight, else 20).',
      ),
  })
  .describe('When to retrain, on what data, and how a challenger earns a canary.');

const labelQuality = z
  .strictObject({
    max_rate_shift: z
      .number()
      .positive()
      .default(0.5)
      .describe(
        "Hold the retrain when the labels' positive rate differs from the champion's test rate by more than this share of it.",
      ),
    max_conflict_rate: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe(
        'Hold the retrain when conflicting labels exceed this share of the labels received.',
      ),
    min_labels: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('With fewer labels the quality check cannot judge, and does not hold.'),
  })
  .describe(
    'Checks on the labels before a retrain uses them; a failure holds the retrain with an alert.',
  );

const feedback = z
  .strictObject({
    late_after: duration
      .default('7d')
      .describe('A label observed longer than this after its prediction counts as late.'),
    retrain: retrainPolicy.prefault({}),
    label_quality: labelQuality.prefault({}),
  })
  .describe('Step 8: the feedback loop: labels, the retraining policy, label quality.');

export const SpecSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe('Spec format version.'),
    name: identifier.describe('Project name.'),
    description: z.string().optional().describe('What is predicted and why.'),
    task: z.enum(['binary', 'multiclass', 'regression']).describe('The kind of prediction.'),
    target,
    entity: columnName.optional().describe('Column identifying the entity a row is about.'),
    event_time: columnName
      .optional()
      .describe('Column holding when the event happened (used for time splits).'),
    features: features.optional(),
    events: z
      .record(identifier, eventTable)
      .optional()
      .describe('Event tables behind point-in-time features.'),
    data,
    split,
    business,
    acceptance,
    latency_budget: latencyBudget.optional(),
    store: z
      .string()
      .min(1)
      .optional()
      .describe('Where runs and artefacts live: `sqlite:path` or `postgres://...`.'),
    baselines: baselines.optional(),
    models: models.optional(),
    evaluation: evaluation.optional(),
    deploy: deploy.optional(),
    monitor: monitor.optional(),
    checks: checks.optional(),
    governance: governance.optional(),
    feedback: feedback.optional(),
  })
  .describe(
    'Flywheel framing spec: what is predicted, on which data, and what makes it good enough.',
  );

/** A validated spec, with defaults filled in. */
export type Spec = z.output<typeof SpecSchema>;

/**
 * The spec's monitoring settings with every default filled in (the defaults
 * alone when the spec has no `monitor` section).
 *
 * @example
 * monitorSettings(spec).rules.error_budget.objective // 0.999
 */
export function monitorSettings(spec: Pick<Spec, 'monitor'>): NonNullable<Spec['monitor']> {
  return spec.monitor ?? monitor.parse({});
}

/**
 * The spec's feedback settings (labels, retraining policy, label quality)
 * with every default filled in.
 *
 * @example
 * feedbackSettings(spec).retrain.window // '90d'
 */
export function feedbackSettings(spec: Pick<Spec, 'feedback'>): NonNullable<Spec['feedback']> {
  return spec.feedback ?? feedback.parse({});
}
export type SpecInput = z.input<typeof SpecSchema>;
