/**
 * The default smoke check before an alias moves: the bundle's model loads and
 * scores a one-row frame of missing values without throwing, giving finite
 * scores. The server can pass a stricter check (its own scoring path).
 */
import { type Column, makeFrame } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { loadModel } from '../models/index.js';
import type { ModelBundle } from './bundle.js';

/** A check a bundle must pass before an alias points at it; throwing aborts the move. */
export type SmokeCheck = (bundle: ModelBundle) => Promise<void>;

/**
 * Loads the model and scores one row where every feature is missing.
 *
 * @example
 * await loadAndScore(bundle); // throws when the model cannot score
 */
export async function loadAndScore(bundle: ModelBundle): Promise<void> {
  const model = loadModel(bundle.model);
  const columns = new Map<string, Column>();
  for (const feature of model.schema.features) {
    columns.set(
      feature.name,
      feature.type === 'categorical'
        ? { type: 'categorical', codes: Int32Array.of(-1), dictionary: feature.dictionary ?? [] }
        : { type: feature.type, values: Float64Array.of(Number.NaN) },
    );
  }
  const scores = model.predict(makeFrame(columns));
  const expected = model.task === 'multiclass' ? (model.classes?.length ?? 0) : 1;
  if (scores.length === 0 || (expected > 0 && scores.length !== expected)) {
    throw new FlywheelError(
      'GATE_FAILED',
      `the model gave ${scores.length} scores for one row, expected ${expected}`,
    );
  }
  for (const score of scores) {
    if (!Number.isFinite(score)) {
      throw new FlywheelError(
        'GATE_FAILED',
        `the model gave a non-finite score (${score}) for a row of missing values`,
      );
    }
  }
}
