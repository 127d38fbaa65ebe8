/**
 * The scorer of one model version: request rows → validated typed columns →
 * derived features (the spec's expressions, evaluated as in training's
 * consistency test) → the model → decisions. Everything that can be done
 * once per version (loading the model, parsing expressions, category maps)
 * is done in `createScorer`, so scoring one row costs tens of microseconds.
 */
import type { CategoricalColumn, Column, Frame } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { type FittedModel, loadModel, MISSING, UNSEEN } from '../models/index.js';
import type { ModelBundle } from '../registry/index.js';
import {
  type ColumnData,
  type Expression,
  evaluateColumn,
  parseExpression,
  referencedColumns,
  typeCheck,
} from '../spec/index.js';
import { decide, type RowScore } from './decision.js';
import type { FieldError } from './host.js';
import { type InputField, RowParser } from './row-parser.js';

export type ScoreResult =
  | { readonly ok: true; readonly rows: readonly RowScore[] }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

export interface Scorer {
  readonly bundle: ModelBundle;
  readonly model: FittedModel;
  /**
   * Scores rows given as JSON objects. Field-level problems (unknown field,
   * wrong type, a required value missing) come back as errors, never thrown;
   * a failure of the model itself throws.
   */
  score(rows: readonly unknown[]): ScoreResult;
  /**
   * The model's features for rows as JSON objects: inputs parsed, derived
   * features computed, categoricals as their own values (not yet mapped to
   * the training dictionary). What monitoring compares with the reference.
   */
  features(rows: readonly unknown[]): FeaturesResult;
}

export type FeaturesResult =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

interface DerivedStep {
  readonly name: string;
  readonly expression: Expression;
}

function corrupt(bundle: ModelBundle, message: string, cause?: unknown): FlywheelError {
  return new FlywheelError(
    'ARTIFACT_CORRUPT',
    `bundle of "${bundle.name}": ${message}`,
    cause === undefined ? {} : { cause },
  );
}

function load(bundle: ModelBundle): FittedModel {
  try {
    return loadModel(bundle.model);
  } catch (err) {
    throw corrupt(bundle, `the model does not load: ${(err as Error).message}`, err);
  }
}

/** Parses and type-checks the derived features against the columns before them, in order. */
function compileDerived(bundle: ModelBundle, pointInTime: readonly string[]): DerivedStep[] {
  const types = new Map<string, 'numeric' | 'categorical' | 'timestamp'>([
    ...bundle.inputs.map((i) => [i.name, i.type] as const),
    ...pointInTime.map((name) => [name, 'numeric'] as const),
  ]);
  return bundle.derived.map((d) => {
    let expression: Expression;
    let type: string;
    try {
      expression = parseExpression(d.expression);
      type = typeCheck(expression, types);
    } catch (err) {
      throw corrupt(bundle, `derived feature "${d.name}": ${(err as Error).message}`, err);
    }
    const kind = type === 'boolean' ? 'numeric' : type;
    if (kind !== d.type) {
      throw corrupt(
        bundle,
        `derived feature "${d.name}" is ${kind}, but the bundle says ${d.type}`,
      );
    }
    types.set(d.name, d.type);
    return { name: d.name, expression };
  });
}

/**
 * A categorical column re-coded onto the training dictionary (unseen values
 * → UNSEEN), as alignFrame does, but with the lookup built once per version
 * instead of once per request's dictionary.
 */
function toTrainingCodes(
  column: CategoricalColumn,
  dictionary: readonly string[],
  index: ReadonlyMap<string, number>,
): CategoricalColumn {
  const remap = Int32Array.from(column.dictionary, (v) => index.get(v) ?? UNSEEN);
  const codes = new Int32Array(column.codes.length);
  for (let r = 0; r < codes.length; r++) {
    const c = column.codes[r]!;
    codes[r] = c < 0 ? MISSING : remap[c]!;
  }
  return { type: 'categorical', codes, dictionary };
}

/**
 * Loads the bundle's model once and returns its scorer. Throws a
 * FlywheelError when the bundle is inconsistent (a feature the model needs
 * that is neither an input nor derived, a derived expression that does not
 * type-check) or the model does not load.
 *
 * @example
 * const scorer = createScorer(bundle);
 * const result = scorer.score([{ distance: 1200, origin: 'ORD', dep_time: '2024-05-01T17:05:00Z' }]);
 * if (result.ok) console.log(result.rows[0].score, result.rows[0].decision);
 */
export function createScorer(bundle: ModelBundle): Scorer {
  const model = load(bundle);
  const trained = new Map(model.schema.features.map((f) => [f.name, f]));
  const inputs: InputField[] = bundle.inputs.map((input) => ({
    name: input.name,
    type: input.type,
    nullable: input.nullable,
    ...(input.type === 'categorical'
      ? { dictionary: trained.get(input.name)?.dictionary ?? input.categories ?? [] }
      : {}),
  }));
  const passthrough = [bundle.entity, bundle.eventTime, bundle.consent].filter(
    (f): f is string => f !== undefined,
  );
  const parser = new RowParser(inputs, passthrough);
  // Point-in-time features will come from the online store; until then they are missing.
  const given = new Set([
    ...bundle.inputs.map((i) => i.name),
    ...bundle.derived.map((d) => d.name),
  ]);
  const pointInTime = bundle.featureVersions.map((f) => f.name).filter((n) => !given.has(n));
  const derived = compileDerived(bundle, pointInTime);
  const needed = new Set([
    ...model.schema.features.map((f) => f.name),
    ...derived.flatMap((d) => referencedColumns(d.expression)),
  ]);
  const absent = pointInTime.filter((name) => needed.has(name));
  const schema = [
    ...inputs.map((i) => ({ name: i.name, type: i.type })),
    ...absent.map((name) => ({ name, type: 'numeric' as const })),
    ...bundle.derived.map((d) => ({ name: d.name, type: d.type })),
  ];
  const provided = new Map(schema.map((f) => [f.name, f.type]));
  for (const f of model.schema.features) {
    const type = provided.get(f.name);
    if (type === undefined) {
      throw corrupt(
        bundle,
        `the model needs feature "${f.name}", which is neither an input nor a derived feature`,
      );
    }
    if ((type === 'categorical') !== (f.type === 'categorical')) {
      throw corrupt(bundle, `feature "${f.name}" is ${type} here but ${f.type} in the model`);
    }
  }
  const classes = model.classes ?? bundle.classes ?? [];
  // Categorical features the model reads, with a lookup into its training dictionary.
  const encoders = model.schema.features.flatMap((f) =>
    f.type === 'categorical' && f.dictionary !== undefined
      ? [
          {
            name: f.name,
            dictionary: f.dictionary,
            index: new Map(f.dictionary.map((v, i) => [v, i])),
          },
        ]
      : [],
  );

  const featureColumns = (rows: readonly unknown[]) => {
    const parsed = parser.parse(rows);
    if (!parsed.ok) return parsed;
    const n = rows.length;
    const columns = parsed.columns;
    for (const name of absent) {
      columns.set(name, { type: 'numeric', values: new Float64Array(n).fill(Number.NaN) });
    }
    for (const step of derived) {
      columns.set(
        step.name,
        evaluateColumn(step.expression, columns as ReadonlyMap<string, ColumnData>, n) as Column,
      );
    }
    return { ok: true as const, columns, n };
  };

  return {
    bundle,
    model,
    features(rows) {
      const built = featureColumns(rows);
      if (!built.ok) return built;
      return { ok: true, frame: { rowCount: built.n, schema, columns: built.columns } };
    },
    score(rows) {
      const built = featureColumns(rows);
      if (!built.ok) return built;
      const { columns, n } = built;
      if (n === 0) return { ok: true, rows: [] };
      for (const encoder of encoders) {
        const column = columns.get(encoder.name);
        if (column?.type === 'categorical' && column.dictionary !== encoder.dictionary) {
          columns.set(encoder.name, toTrainingCodes(column, encoder.dictionary, encoder.index));
        }
      }
      const frame: Frame = { rowCount: n, schema, columns };
      const output = model.predict(frame);
      return { ok: true, rows: decide(bundle.task, output, bundle.decision, classes) };
    },
  };
}
