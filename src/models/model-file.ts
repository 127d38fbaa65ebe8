/**
 * Helpers for model files: numeric arrays as base64 little-endian blocks
 * (compact and language-neutral), and parameter validation that names the
 * parameter, what was given and what is valid.
 */
import { endianness } from 'node:os';
import type { z } from 'zod';
import { FlywheelError } from '../errors.js';
import type { FittedModel, ModelFile } from './estimator.js';

type Block = NonNullable<ModelFile['binary']>[string];
type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

const CTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;

if (endianness() !== 'LE') throw new Error('model files assume a little-endian machine');

/** A typed array as a base64 block. */
export function encodeArray(values: Typed): Block {
  const dtype =
    values instanceof Float64Array
      ? 'f64'
      : values instanceof Float32Array
        ? 'f32'
        : values instanceof Int32Array
          ? 'i32'
          : values instanceof Uint32Array
            ? 'u32'
            : 'u8';
  return {
    dtype,
    base64: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
  };
}

/** The typed array of a base64 block (a copy, correctly aligned). */
export function decodeArray<D extends keyof typeof CTORS>(
  block: Block | undefined,
  dtype: D,
  name: string,
): InstanceType<(typeof CTORS)[D]> {
  if (!block || block.dtype !== dtype) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      `model file: binary block "${name}" is missing or not ${dtype}`,
    );
  }
  const bytes = Buffer.from(block.base64, 'base64');
  const Ctor = CTORS[dtype];
  if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new FlywheelError('ARTIFACT_CORRUPT', `model file: binary block "${name}" is truncated`);
  }
  const out = new Ctor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out as InstanceType<(typeof CTORS)[D]>;
}

/**
 * Validates estimator parameters against a zod schema; errors name the parameter.
 *
 * @example
 * const params = parseParams('logistic', LogisticParams, { C: -1 }); // throws: C must be > 0
 */
export function parseParams<S extends z.ZodType>(
  kind: string,
  schema: S,
  params: unknown,
): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const where = i.path.length > 0 ? i.path.join('.') : '(parameters)';
    return `${where}: ${i.message}`;
  });
  throw new FlywheelError(
    'USAGE',
    `invalid parameters for model "${kind}": ${problems.join('; ')}`,
  );
}

/**
 * The model file of a fitted model: the common header plus its own state.
 *
 * @example
 * toFile(): ModelFile { return modelFile(this, this.params, { value: [...this.value] }); }
 */
export function modelFile(
  model: Pick<FittedModel, 'kind' | 'task' | 'schema' | 'classes'>,
  params: object,
  state: Record<string, unknown>,
  binary?: ModelFile['binary'],
): ModelFile {
  return {
    format: 'flywheel.model',
    formatVersion: 1,
    kind: model.kind,
    task: model.task,
    params: { ...params },
    schema: model.schema,
    ...(model.classes ? { classes: model.classes } : {}),
    state,
    ...(binary === undefined ? {} : { binary }),
  };
}
