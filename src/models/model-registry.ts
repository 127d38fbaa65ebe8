/**
 * Model kinds by name: an estimator factory and a model-file loader per kind.
 * An unknown kind is an error listing the valid names.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import type { Estimator, FittedModel, ModelFile } from './estimator.js';

export interface ModelKind {
  readonly kind: string;
  readonly description: string;
  /** Builds an estimator from user parameters (validated; errors name the parameter). */
  create(params?: Record<string, unknown>): Estimator<object>;
  /** Rebuilds a fitted model from its file. */
  load(file: ModelFile): FittedModel;
}

const KINDS = new Map<string, ModelKind>();

export function registerModelKind(kind: ModelKind): void {
  KINDS.set(kind.kind, kind);
}

export function modelKinds(): ModelKind[] {
  return [...KINDS.values()];
}

function lookup(kind: string): ModelKind {
  const found = KINDS.get(kind);
  if (!found) {
    const names = [...KINDS.keys()];
    throw new FlywheelError(
      'USAGE',
      `unknown model kind "${kind}"${didYouMean(kind, names)}; kinds are: ${names.join(', ')}`,
    );
  }
  return found;
}

/**
 * An estimator of a registered kind.
 *
 * @example
 * const est = createEstimator('logistic', { C: 1 });
 */
export function createEstimator(
  kind: string,
  params: Record<string, unknown> = {},
): Estimator<object> {
  return lookup(kind).create(params);
}

/** Loads a fitted model from its file, checking the format and version. */
export function loadModel(file: unknown): FittedModel {
  const f = file as Partial<ModelFile> | null;
  if (!f || typeof f !== 'object' || f.format !== 'flywheel.model') {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      'not a Flywheel model file (format is not "flywheel.model")',
    );
  }
  if (f.formatVersion !== 1) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      `model file format version ${String(f.formatVersion)} is not supported (this Flywheel reads version 1)`,
    );
  }
  return lookup(String(f.kind)).load(f as ModelFile);
}
