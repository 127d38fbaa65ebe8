/**
 * The load-and-score smoke check a version passes before it may be promoted
 * (TFX's infra validation): the bundle loads, and scores a row of missing
 * values and its own sample rows to finite numbers.
 */
import { FlywheelError } from '../errors.js';
import type { ModelBundle } from '../registry/index.js';
import { createScorer, type Scorer } from './scorer.js';

export interface SmokeCheckOptions {
  /** Extra rows to score besides the bundle's own `sampleRows` (when it has them). */
  readonly rows?: readonly Readonly<Record<string, unknown>>[];
}

function failed(bundle: ModelBundle, stage: string, message: string, cause?: unknown) {
  const text = stage === 'load' ? message : `model "${bundle.name}": ${message}`;
  return new FlywheelError('GATE_FAILED', text, {
    details: { stage },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A row where every nullable input is missing and every other holds a plausible value. */
function missingRow(bundle: ModelBundle): Record<string, unknown> {
  const row: Record<string, unknown> = Object.create(null);
  for (const input of bundle.inputs) {
    if (input.nullable) continue;
    row[input.name] = input.type === 'categorical' ? (input.categories?.[0] ?? 'unknown') : 0;
  }
  return row;
}

/**
 * Builds a scorer for `bundle` and scores a one-row request of missing
 * values plus its sample rows. Rejects with FlywheelError GATE_FAILED (with
 * `details.stage`: `load`, `validate` or `score`) when the model does not
 * load, a row is rejected, scoring throws, or a score is not finite.
 *
 * It fits the registry's `smokeCheck` hook, so a version is promoted only if
 * the server's own scoring path can serve it.
 *
 * @example
 * await registry.moveAlias({ name: 'churn', alias: 'champion', version: 4, actor, reason, smokeCheck });
 */
export async function smokeCheck(
  bundle: ModelBundle,
  options: SmokeCheckOptions = {},
): Promise<void> {
  let scorer: Scorer;
  try {
    scorer = createScorer(bundle);
  } catch (err) {
    throw failed(bundle, 'load', (err as Error).message, err);
  }
  const samples = bundle.samples?.rows ?? [];
  const rows: unknown[] = [missingRow(bundle), ...samples, ...(options.rows ?? [])];
  let result: ReturnType<Scorer['score']>;
  try {
    result = scorer.score(rows);
  } catch (err) {
    throw failed(bundle, 'score', `scoring threw: ${(err as Error).message}`, err);
  }
  if (!result.ok) {
    const first = result.errors[0]!;
    throw failed(
      bundle,
      'validate',
      `row ${first.row} of the smoke request was rejected: ${first.field} ${first.message}`,
    );
  }
  const expected = bundle.samples?.scores ?? [];
  result.rows.forEach((row, i) => {
    const trained = i >= 1 && i <= expected.length ? expected[i - 1] : undefined;
    if (
      trained !== undefined &&
      bundle.task !== 'multiclass' &&
      !(Math.abs(row.score - trained) <= 1e-9 * Math.max(1, Math.abs(trained)))
    ) {
      throw failed(
        bundle,
        'score',
        `sample row ${i - 1} scores ${row.score} when served but scored ${trained} in training: the serving path does not compute what training did`,
      );
    }
    const values = [row.score, ...Object.values(row.probabilities ?? {})];
    const bad = values.find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      throw failed(
        bundle,
        'score',
        `row ${i} (${i === 0 ? 'all inputs missing' : 'a sample row'}) scored ${bad}, not a finite number`,
      );
    }
  });
}
