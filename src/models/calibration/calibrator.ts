/**
 * Calibrators by method name: fit one on validation scores and labels, apply
 * it to new scores, and save it (JSON) with the model it calibrates.
 */
import { FlywheelError } from '../../errors.js';
import { didYouMean } from '../../spec/index.js';
import { IsotonicCalibrator, type IsotonicJSON } from './isotonic.js';
import { PlattCalibrator, type PlattJSON } from './platt.js';

export const CALIBRATION_METHODS = ['platt', 'isotonic'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];
export type CalibratorJSON = PlattJSON | IsotonicJSON;

/** What both calibrators offer. */
export interface Calibrator {
  readonly method: CalibrationMethod;
  /** Calibrated P(positive) for each score. */
  apply(scores: ArrayLike<number>): Float64Array;
  toJSON(): CalibratorJSON;
}

export interface CalibratorOptions {
  readonly weights?: ArrayLike<number>;
  /** Platt only: the scores are probabilities (mapped to logits first). */
  readonly input?: 'score' | 'probability';
}

/**
 * Fits a calibrator of `method` on validation scores and 0/1 labels (NaN label = unlabelled row).
 *
 * @example
 * const cal = fitCalibrator('isotonic', model.predict(validation), labels);
 * const saved = JSON.stringify(cal); // → calibratorFromJSON(JSON.parse(saved))
 */
export function fitCalibrator(
  method: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibratorOptions = {},
): Calibrator {
  const { weights, input } = options;
  switch (method) {
    case 'platt':
      return PlattCalibrator.fit(scores, labels, {
        ...(weights ? { weights } : {}),
        ...(input ? { input } : {}),
      });
    case 'isotonic':
      return IsotonicCalibrator.fit(scores, labels, weights ? { weights } : {});
    default:
      throw new FlywheelError(
        'USAGE',
        `unknown calibration method "${method}"${didYouMean(method, [...CALIBRATION_METHODS])}; methods are: ${CALIBRATION_METHODS.join(', ')}`,
      );
  }
}

/**
 * A calibrator read back from its JSON (validated; ARTIFACT_CORRUPT otherwise).
 *
 * @example
 * const cal = calibratorFromJSON({ method: 'platt', version: 1, a: 1.3, b: -0.2, input: 'score' });
 */
export function calibratorFromJSON(json: unknown): Calibrator {
  const method = (json as { method?: unknown } | null)?.method;
  if (method === 'platt') return PlattCalibrator.fromJSON(json);
  if (method === 'isotonic') return IsotonicCalibrator.fromJSON(json);
  throw new FlywheelError(
    'ARTIFACT_CORRUPT',
    `unknown calibrator method ${JSON.stringify(method ?? null)}`,
  );
}
