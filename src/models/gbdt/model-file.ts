/**
 * The GBDT's model file: parameters, schema and a small JSON state, with the
 * flattened tree arrays as binary blocks. Loading checks every array's
 * length and every child reference, so a damaged file is an error, never a
 * wrong prediction or an endless walk.
 */
import { z } from 'zod';
import { FlywheelError } from '../../errors.js';
import type { ModelFile } from '../estimator.js';
import { decodeArray, encodeArray, parseParams } from '../model-file.js';
import type { Forest } from './forest.js';
import { GBDTParams } from './params.js';

const State = z.object({
  objective: z.enum(['binary', 'multiclass', 'regression', 'quantile']),
  numModels: z.number().int().min(1),
  numFeatures: z.number().int().min(0),
  initScore: z.array(z.number()),
  rounds: z.number().int().min(0),
  importance: z.array(z.number()),
});
export type GBDTState = z.output<typeof State>;

export interface GBDTFileContent {
  readonly params: GBDTParams;
  readonly state: GBDTState;
  readonly forest: Forest;
}

/** The `state` and `binary` parts of a model file. */
export function encodeForest(forest: Forest): NonNullable<ModelFile['binary']> {
  return {
    treeRoot: encodeArray(forest.treeRoot),
    feature: encodeArray(forest.feature),
    threshold: encodeArray(forest.threshold),
    left: encodeArray(forest.left),
    right: encodeArray(forest.right),
    flags: encodeArray(forest.flags),
    catStart: encodeArray(forest.catStart),
    catLength: encodeArray(forest.catLength),
    catBits: encodeArray(forest.catBits),
    nodeCover: encodeArray(forest.nodeCover),
    leafValue: encodeArray(forest.leafValue),
    leafCover: encodeArray(forest.leafCover),
  };
}

function corrupt(message: string): FlywheelError {
  return new FlywheelError('ARTIFACT_CORRUPT', `gbdt model file: ${message}`);
}

/** Reads and checks a GBDT model file. */
export function decodeModelFile(file: ModelFile): GBDTFileContent {
  const params = parseParams('gbdt', GBDTParams, file.params);
  const parsed = State.safeParse(file.state);
  if (!parsed.success)
    throw corrupt(`invalid state (${parsed.error.issues[0]?.message ?? 'unknown'})`);
  const state = parsed.data;
  const b = file.binary ?? {};
  const forest: Forest = {
    numFeatures: state.numFeatures,
    numModels: state.numModels,
    initScore: Float64Array.from(state.initScore),
    treeRoot: decodeArray(b['treeRoot'], 'i32', 'treeRoot'),
    feature: decodeArray(b['feature'], 'i32', 'feature'),
    threshold: decodeArray(b['threshold'], 'f64', 'threshold'),
    left: decodeArray(b['left'], 'i32', 'left'),
    right: decodeArray(b['right'], 'i32', 'right'),
    flags: decodeArray(b['flags'], 'u8', 'flags'),
    catStart: decodeArray(b['catStart'], 'i32', 'catStart'),
    catLength: decodeArray(b['catLength'], 'i32', 'catLength'),
    catBits: decodeArray(b['catBits'], 'u32', 'catBits'),
    nodeCover: decodeArray(b['nodeCover'], 'f64', 'nodeCover'),
    leafValue: decodeArray(b['leafValue'], 'f64', 'leafValue'),
    leafCover: decodeArray(b['leafCover'], 'f64', 'leafCover'),
  };
  checkForest(forest, file.schema.features.length, state);
  return { params, state, forest };
}

function checkForest(f: Forest, features: number, state: GBDTState): void {
  const nodes = f.feature.length;
  const leaves = f.leafValue.length;
  if (state.numFeatures !== features) throw corrupt('numFeatures does not match the schema');
  if (state.initScore.length !== state.numModels)
    throw corrupt('initScore needs one value per model');
  if (state.importance.length !== features) throw corrupt('importance needs one value per feature');
  for (const a of [f.threshold, f.left, f.right, f.flags, f.catStart, f.catLength, f.nodeCover]) {
    if (a.length !== nodes) throw corrupt('node arrays differ in length');
  }
  if (f.leafCover.length !== leaves) throw corrupt('leaf arrays differ in length');
  if (f.treeRoot.length % state.numModels !== 0)
    throw corrupt('tree count is not a multiple of the models');
  // Children come after their parent, so every walk ends at a leaf.
  const child = (c: number, parent: number) => (c >= 0 ? c > parent && c < nodes : ~c < leaves);
  for (const root of f.treeRoot) if (!child(root, -1)) throw corrupt('a tree root is out of range');
  for (let i = 0; i < nodes; i++) {
    if (!child(f.left[i]!, i) || !child(f.right[i]!, i)) throw corrupt(`node ${i} has a bad child`);
    if (f.feature[i]! < 0 || f.feature[i]! >= features)
      throw corrupt(`node ${i} splits an unknown feature`);
    if (f.catStart[i]! < 0 || f.catStart[i]! + f.catLength[i]! > f.catBits.length) {
      throw corrupt(`node ${i} has a bad category set`);
    }
  }
}
