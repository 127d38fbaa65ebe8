/**
 * The demo's world: a seeded sample of the real flights data (vega-datasets,
 * January–June 2001), split into the history a first model trains on
 * (January–February, the spec's source) and the live traffic replayed after
 * it (March–June), with the departures feed that the online features read,
 * and the spec of the demo project.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckSession, sqlString } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { flightsParquetPath } from './init-project.js';

export interface DemoDataOptions {
  /** Share of flights kept (whole airports, drawn with the seed), 0 < f ≤ 1. */
  readonly fraction: number;
  readonly seed: number;
  /** First replayed day (UTC, inclusive) and the day after the last. */
  readonly from: string;
  readonly until: string;
}

export interface DemoData {
  readonly historyFile: string;
  readonly liveFile: string;
  readonly historyRows: number;
  readonly liveRows: number;
  /** How the rows were chosen, for the report. */
  readonly description: string;
}

/**
 * Writes `data/history.parquet` (before `from`) and `data/live.parquet`
 * (`from` to `until`) under `dir`: the same seeded sample of flights.
 *
 * @example
 * await writeDemoData('demo', { fraction: 0.05, seed: 42, from: '2001-03-01', until: '2001-07-01' });
 */
export async function writeDemoData(dir: string, options: DemoDataOptions): Promise<DemoData> {
  if (!(options.fraction > 0 && options.fraction <= 1)) {
    throw new FlywheelError(
      'USAGE',
      `--sample must be above 0 and at most 1, got ${options.fraction}`,
    );
  }
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const historyFile = path.join(dataDir, 'history.parquet');
  const liveFile = path.join(dataDir, 'live.parquet');
  const session = await DuckSession.open();
  try {
    // Whole airports are kept (all their departures), chosen in an order
    // drawn from the seed until they hold `fraction` of the flights: the
    // departures feed of a kept airport is complete, so its point-in-time
    // features are what the full data would give.
    await session.run(
      `CREATE TEMP TABLE flights AS SELECT date, delay, distance, origin, destination
         FROM read_parquet(${sqlString(flightsParquetPath())})
        WHERE date < TIMESTAMP ${sqlString(options.until)}`,
    );
    await session.run(
      `CREATE TEMP TABLE kept AS
         WITH airports AS (
           SELECT origin, count(*) AS n,
                  hash(concat_ws('|', ${sqlString(String(options.seed))}, origin)) AS draw
             FROM flights WHERE origin IS NOT NULL GROUP BY origin),
         running AS (
           SELECT origin, n, sum(n) OVER (ORDER BY draw, origin) - n AS before
             FROM airports)
         SELECT origin FROM running
          WHERE before < ${options.fraction} * (SELECT sum(n) FROM airports)`,
    );
    await session.run(
      `CREATE TEMP TABLE sample AS SELECT * FROM flights WHERE origin IN (SELECT origin FROM kept)
        ORDER BY date, origin, destination, delay, distance`,
    );
    const [airports] = await session.rows('SELECT count(*) AS n FROM kept');
    const write = async (file: string, where: string) => {
      await session.run(
        `COPY (SELECT * FROM sample WHERE ${where}) TO ${sqlString(file)} (FORMAT parquet)`,
      );
      const [row] = await session.rows(`SELECT count(*) AS n FROM sample WHERE ${where}`);
      return Number(row!['n']);
    };
    const from = `TIMESTAMP ${sqlString(options.from)}`;
    const historyRows = await write(historyFile, `date < ${from}`);
    const liveRows = await write(liveFile, `date >= ${from}`);
    return {
      historyFile,
      liveFile,
      historyRows,
      liveRows,
      description: `every departure from ${Number(airports!['n'])} airports drawn with the seed ${options.seed} until they held ${(options.fraction * 100).toFixed(options.fraction < 0.01 ? 2 : 0)}% of the 3 million US domestic flights of January–June 2001 (vega-datasets); whole airports are kept so that their departures feed, and so their point-in-time features, are complete`,
    };
  } finally {
    session.close();
  }
}

/** The demo project's spec: the flights framing, trained on January–February. */
export function demoSpec(options: { canaryWeight: number; retrainEvery: string }): string {
  return `# yaml-language-server: $schema=../schema/flywheel.schema.json
# Written by \`flywheel demo\`: the flights framing, trained on January and
# February 2001, then served through March–June with a feedback loop.
version: 1
name: flights_delay
description: >
  Predict, from the schedule alone, whether a departure will leave more than
  15 minutes late, so the operations desk can act before the delay happens.
task: binary
target:
  column: delay
  positive: delay > 15
event_time: date

features:
  include: [distance, origin, destination]
  derive:
    hour: hour(date)
    day_of_week: day_of_week(date)
  point_in_time:
    origin_delay_2h:
      events: departures
      key: origin
      aggregate: mean
      column: delay
      window: 2h
    origin_departures_2h:
      events: departures
      key: origin
      aggregate: count
      window: 2h

events:
  departures:
    query: >
      SELECT origin, delay,
             date + to_minutes(greatest(delay, 0)) AS departed_at,
             concat_ws('/', strftime(date, '%Y%m%d%H%M'), origin, destination,
                       row_number() OVER (PARTITION BY date, origin, destination
                                          ORDER BY distance, delay)) AS departure_id
      FROM flights
    key: origin
    time: departed_at
    id: departure_id
    allowed_lateness: 1h
    freshness: 30m

data:
  sources:
    flights:
      path: data/history.parquet

split:
  method: time
  train: { from: 2001-01-01, until: 2001-02-01 }
  validation: { from: 2001-02-01, until: 2001-02-15 }
  test: { from: 2001-02-15, until: 2001-03-01 }

business:
  decision: >
    Alert the operations desk to re-plan crew, gate and connections for the
    flight before it departs.
  currency: USD
  costs: { tp: 20, fp: 20, fn: 80, tn: 0 }

acceptance:
  confidence: 0.95
  metrics:
    roc_auc: { min: 0.6 }
    # acting on every flight costs 20 per decision, acting on none about 17 (80 × the delay rate)
    cost_per_decision: { max: 17 }

latency_budget:
  p99_ms: 50

baselines:
  rules:
    - name: evening
      expression: hour >= 17

evaluation:
  resamples: 100

models:
  ladder: [prior, rules, linear, gbdt_small]
  seed: 42

checks:
  learning_curve: false
  label_issues: false

deploy:
  canary:
    weight: ${options.canaryWeight}
    # Checked once a replayed day on a quarter of a sampled day's traffic:
    # the realised cost of a few hundred decisions is noisy to about ±10%.
    cost_margin: 0.1
    # A challenger retrained on a new season scores differently by design;
    # the gate (thousands of labelled rows) and the realised cost judge it.
    max_score_psi: 1

monitor:
  window: 1d
  min_rows: 100

feedback:
  retrain:
    every: ${options.retrainEvery}
    on_alerts: [prediction_drift, realised_cost, estimated_cost, label_rate]
    cooldown: 14d
    window: 60d
    holdout: 7d
    validation: 7d
    min_labels: 500
    min_probability: 0.8
`;
}

/** Writes the demo's spec into `dir`. */
export function writeDemoSpec(dir: string, options: Parameters<typeof demoSpec>[0]): string {
  const file = path.join(dir, 'flywheel.yaml');
  writeFileSync(file, demoSpec(options));
  return file;
}
