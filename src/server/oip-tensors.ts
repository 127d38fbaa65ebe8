/**
 * Open Inference Protocol v2 tensors ⇄ rows. A request carries one columnar
 * tensor per input (`{ name, shape: [n] or [n, 1], datatype, data }`); they
 * become n row objects, checked like `/v1` rows. The answer carries one
 * tensor per output: score, decision and prediction id.
 * https://github.com/kserve/open-inference-protocol
 */
import type { ScoredRow } from '../serve/index.js';
import type { Row } from './predict-input.js';
import { checkRoutingKey, checkRowCount, isPlainObject } from './predict-input.js';
import { type FieldProblem, HttpError } from './server-error.js';

const NUMERIC = new Set([
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
]);
const BODY_KEYS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const TENSOR_KEYS = new Set(['name', 'shape', 'datatype', 'data', 'parameters']);
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const FIELD_NAME = /^[\p{L}\p{N}_.\- ]{1,128}$/u;

export interface InferInput {
  readonly id?: string;
  readonly rows: readonly Row[];
  readonly routingKey?: string;
}

export interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

function invalid(message: string, fields?: FieldProblem[]): HttpError {
  return new HttpError('INVALID_INPUT', message, fields === undefined ? {} : { fields });
}

function valueProblem(datatype: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (NUMERIC.has(datatype))
    return typeof value === 'number' ? undefined : `must be a number (${datatype})`;
  if (datatype === 'BYTES')
    return typeof value === 'string' ? undefined : 'must be a string (BYTES)';
  return typeof value === 'boolean' ? undefined : 'must be a boolean (BOOL)';
}

/** Checks one input tensor and returns its values, one per row. */
function readTensor(
  tensor: unknown,
  index: number,
  maxRows: number,
): { name: string; values: unknown[] } {
  const where = `inputs[${index}]`;
  if (!isPlainObject(tensor)) throw invalid(`\`${where}\` must be an object`);
  if (Object.keys(tensor).some((k) => !TENSOR_KEYS.has(k))) {
    throw invalid(
      `\`${where}\` has unknown fields; valid: name, shape, datatype, data, parameters`,
    );
  }
  const { name, shape, datatype, data } = tensor;
  if (typeof name !== 'string' || !FIELD_NAME.test(name) || FORBIDDEN_NAMES.has(name)) {
    throw invalid(`\`${where}.name\` must be an input name (letters, digits, _ . - and spaces)`);
  }
  if (
    typeof datatype !== 'string' ||
    !(NUMERIC.has(datatype) || datatype === 'BYTES' || datatype === 'BOOL')
  ) {
    throw invalid(
      `input \`${name}\`: datatype must be BOOL, BYTES or a numeric type such as FP64`,
      [{ field: name, message: 'unsupported datatype' }],
    );
  }
  const okShape =
    Array.isArray(shape) &&
    (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) &&
    Number.isSafeInteger(shape[0]) &&
    (shape[0] as number) >= 0;
  if (!okShape) {
    throw invalid(`input \`${name}\`: shape must be [n] or [n, 1]`, [
      { field: name, message: 'shape must be [n] or [n, 1]' },
    ]);
  }
  const n = shape[0] as number;
  checkRowCount(n, maxRows);
  if (!Array.isArray(data)) throw invalid(`input \`${name}\`: data must be an array`);
  const values =
    data.length === n && data.every((v) => Array.isArray(v) && v.length === 1)
      ? data.map((v) => (v as unknown[])[0])
      : data;
  if (values.length !== n) {
    throw invalid(`input \`${name}\`: data has ${values.length} values; shape says ${n}`, [
      { field: name, message: 'data length does not match shape' },
    ]);
  }
  return { name, values };
}

/**
 * Reads an inference request into rows.
 *
 * @example
 * parseInferBody({ inputs: [{ name: 'x', shape: [2], datatype: 'FP64', data: [1, 2] }] }, 1000);
 * // { rows: [{ x: 1 }, { x: 2 }] }
 */
export function parseInferBody(body: unknown, maxRows: number): InferInput {
  if (!isPlainObject(body)) throw invalid('the body must be a JSON object with `inputs`');
  if (Object.keys(body).some((k) => !BODY_KEYS.has(k))) {
    throw invalid('the body has unknown fields; valid: id, parameters, inputs, outputs');
  }
  const { id, parameters, inputs } = body;
  if (id !== undefined && (typeof id !== 'string' || id.length > 256)) {
    throw invalid('`id` must be a string of at most 256 characters');
  }
  if (parameters !== undefined && !isPlainObject(parameters))
    throw invalid('`parameters` must be an object');
  const routingKey = checkRoutingKey(parameters?.['routing_key'], 'parameters.routing_key');
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw invalid('`inputs` must be a non-empty array of tensors');
  if (inputs.length > 10_000) throw invalid('too many input tensors');
  const columns = inputs.map((t, i) => readTensor(t, i, maxRows));
  const n = columns[0]!.values.length;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name))
      throw invalid(`input \`${c.name}\` is given twice`, [
        { field: c.name, message: 'duplicate input' },
      ]);
    seen.add(c.name);
    if (c.values.length !== n) {
      throw invalid('every input must have the same number of rows', [
        { field: c.name, message: `has ${c.values.length} rows; the first input has ${n}` },
      ]);
    }
  }
  const problems: FieldProblem[] = [];
  columns.forEach((c, i) => {
    const datatype = (inputs[i] as { datatype: string }).datatype;
    c.values.forEach((v, row) => {
      const message = valueProblem(datatype, v);
      if (message !== undefined && problems.length < 100)
        problems.push({ row, field: c.name, message });
    });
  });
  if (problems.length > 0) throw invalid('some input values have the wrong type', problems);
  const rows = Array.from({ length: n }, (_, row) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c.name] = c.values[row];
    return out;
  });
  return {
    rows,
    ...(routingKey === undefined ? {} : { routingKey }),
    ...(typeof id === 'string' ? { id } : {}),
  };
}

/** The version part of `name@version`. */
export function versionOf(modelVersion: string): string {
  const at = modelVersion.lastIndexOf('@');
  return at < 0 ? modelVersion : modelVersion.slice(at + 1);
}

function decisionTensor(rows: readonly ScoredRow[]): Tensor {
  const first = rows[0]?.decision;
  const datatype =
    typeof first === 'boolean' ? 'BOOL' : typeof first === 'string' ? 'BYTES' : 'FP64';
  return { name: 'decision', datatype, shape: [rows.length], data: rows.map((r) => r.decision) };
}

/** The inference response for scored rows. */
export function inferResponse(name: string, rows: readonly ScoredRow[], id: string) {
  const versions = [...new Set(rows.map((r) => versionOf(r.modelVersion)))];
  return {
    model_name: name,
    model_version: versions.join(','),
    id,
    outputs: [
      { name: 'score', datatype: 'FP64', shape: [rows.length], data: rows.map((r) => r.score) },
      decisionTensor(rows),
      {
        name: 'prediction_id',
        datatype: 'BYTES',
        shape: [rows.length],
        data: rows.map((r) => r.predictionId),
      },
    ] satisfies Tensor[],
  };
}
