/**
 * Lines a Frame up with the schema a model was trained on: columns by name,
 * and categorical codes re-mapped onto the training dictionary, so a model
 * never sees codes from another dictionary. Unseen categories get UNSEEN.
 */
import { type Column, type Frame, makeFrame } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import type { FeatureSchema } from './estimator.js';

/** Code of a category that was not in the training dictionary. */
export const UNSEEN = -2;
/** Code of a missing category. */
export const MISSING = -1;

const IDENTICAL = new Int32Array(0);
/** Cached code maps: data dictionary → training dictionary → remap (or IDENTICAL). */
const REMAPS = new WeakMap<readonly string[], WeakMap<readonly string[], Int32Array>>();

function remapping(data: readonly string[], training: readonly string[]): Int32Array {
  let byTraining = REMAPS.get(data);
  const cached = byTraining?.get(training);
  if (cached) return cached;
  const index = new Map(training.map((v, i) => [v, i]));
  const remap = new Int32Array(data.length);
  let identical = data.length === training.length;
  for (let i = 0; i < data.length; i++) {
    remap[i] = index.get(data[i]!) ?? UNSEEN;
    if (remap[i] !== i) identical = false;
  }
  const result = identical ? IDENTICAL : remap;
  if (!byTraining) {
    byTraining = new WeakMap();
    REMAPS.set(data, byTraining);
  }
  byTraining.set(training, result);
  return result;
}

/** The schema of a Frame, as a model records it at fit time. */
export function schemaOf(frame: Frame): FeatureSchema {
  return {
    features: frame.schema.map((f) => {
      const column = frame.columns.get(f.name)!;
      return column.type === 'categorical'
        ? { name: f.name, type: 'categorical' as const, dictionary: [...column.dictionary] }
        : { name: f.name, type: column.type };
    }),
  };
}

/**
 * Columns of `frame` in the order of `schema`, with categorical codes mapped
 * onto the training dictionaries (unseen → UNSEEN, missing → MISSING).
 * A missing column is an error naming it; extra columns are ignored.
 *
 * @example
 * const columns = alignFrame(testFrame, model.schema);
 */
export function alignFrame(frame: Frame, schema: FeatureSchema): Column[] {
  return schema.features.map((feature) => {
    const column = frame.columns.get(feature.name);
    if (!column) {
      throw new FlywheelError(
        'SCHEMA_MISSING_COLUMN',
        `the model needs feature "${feature.name}", which the data does not have`,
      );
    }
    if (feature.type === 'categorical') {
      if (column.type !== 'categorical') {
        throw new FlywheelError(
          'SCHEMA_TYPE_MISMATCH',
          `feature "${feature.name}" was categorical in training but is ${column.type} here`,
        );
      }
      const training = feature.dictionary ?? [];
      if (column.dictionary === training) return column;
      const remap = remapping(column.dictionary, training);
      if (remap === IDENTICAL) return column;
      const codes = new Int32Array(column.codes.length);
      for (let r = 0; r < codes.length; r++) {
        const c = column.codes[r]!;
        codes[r] = c < 0 ? MISSING : remap[c]!;
      }
      return { type: 'categorical', codes, dictionary: training };
    }
    if (column.type === 'categorical') {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `feature "${feature.name}" was ${feature.type} in training but is categorical here`,
      );
    }
    return column;
  });
}

/** A Frame holding `columns` under the schema's names (for models that pass frames on). */
export function alignedFrame(frame: Frame, schema: FeatureSchema): Frame {
  const columns = alignFrame(frame, schema);
  return makeFrame(new Map(schema.features.map((f, i) => [f.name, columns[i]!])));
}
