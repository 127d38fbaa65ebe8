/**
 * Checks that a value is a model bundle the registry can keep: at register
 * time (USAGE, and the model must load) and when a stored bundle is read back
 * (ARTIFACT_CORRUPT). Messages name the field, never echo its value.
 */
import { type ErrorCode, FlywheelError } from '../errors.js';
import { loadModel } from '../models/index.js';
import { BUNDLE_FORMAT, type ModelBundle } from './bundle.js';
import { assertModelName } from './refs.js';

const TASKS = ['binary', 'multiclass', 'regression'] as const;
const DECISIONS = ['threshold', 'top_k', 'none'] as const;

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Returns `value` as a ModelBundle, or throws `code` naming the first bad
 * field. With `loadModel`, the model file must also load and match the task.
 *
 * @example
 * const bundle = checkBundle(JSON.parse(text), { code: 'ARTIFACT_CORRUPT' });
 */
export function checkBundle(
  value: unknown,
  options: { code: ErrorCode; loadModel?: boolean },
): ModelBundle {
  const fail = (field: string, problem: string): never => {
    throw new FlywheelError(options.code, `model bundle: ${field} ${problem}`);
  };
  if (!isObject(value)) return fail('(document)', 'is not a JSON object');
  if (value['format'] !== BUNDLE_FORMAT) fail('format', `is not "${BUNDLE_FORMAT}"`);
  try {
    assertModelName(value['name']);
  } catch {
    fail('name', 'is not a model name (an identifier)');
  }
  if (!TASKS.includes(value['task'] as never)) fail('task', `is not one of ${TASKS.join(', ')}`);
  const text = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  };
  text('rung', value['rung']);
  text('specHash', value['specHash']);
  text('createdAt', value['createdAt']);
  if (typeof value['currency'] !== 'string') fail('currency', 'must be a string');
  if (!isObject(value['model'])) fail('model', 'must be a model file (an object)');
  for (const field of ['inputs', 'derived', 'features', 'featureVersions']) {
    if (!Array.isArray(value[field])) fail(field, 'must be an array');
  }
  const decision = value['decision'];
  if (!isObject(decision) || !DECISIONS.includes(decision['kind'] as never)) {
    fail('decision.kind', `is not one of ${DECISIONS.join(', ')}`);
  }
  const lineage = value['lineage'];
  if (!isObject(lineage)) return fail('lineage', 'must be an object');
  text('lineage.runId', lineage['runId']);
  if (lineage['snapshotId'] !== null && typeof lineage['snapshotId'] !== 'string') {
    fail('lineage.snapshotId', 'must be a string or null');
  }
  const blessing = value['blessing'];
  if (!isObject(blessing) || typeof blessing['passed'] !== 'boolean') {
    fail('blessing.passed', 'must be true or false');
  }
  if (options.loadModel) {
    let task: string;
    try {
      task = loadModel(value['model']).task;
    } catch (err) {
      throw new FlywheelError(
        options.code,
        `model bundle: model does not load: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (task !== value['task']) fail('model', `is a ${task} model but the bundle's task is not`);
  }
  return value as unknown as ModelBundle;
}
