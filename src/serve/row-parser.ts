/**
 * Request rows (JSON objects) → typed columns, with one error per bad field.
 * Values convert as training's DuckDB conversion does (src/data/column-types.ts):
 * booleans are 0/1 numbers, an empty string is a missing category,
 * timestamps are UTC epoch milliseconds. Keys are read as own properties
 * only, so `__proto__` or `constructor` never resolve to a prototype.
 */
import type { Column } from '../data/index.js';
import { didYouMean } from '../spec/index.js';
import type { FieldError } from './host.js';
import { parseIsoTimestamp } from './iso-timestamp.js';

/** One input a row may carry. */
export interface InputField {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'timestamp';
  readonly nullable: boolean;
  /** Categorical: the dictionary codes refer to (unseen values are appended per request). */
  readonly dictionary?: readonly string[];
}

export type ParsedRows =
  | { readonly ok: true; readonly columns: Map<string, Column> }
  | { readonly ok: false; readonly errors: FieldError[] };

/** Errors reported per request at most (the rest are counted in the last message). */
export const MAX_FIELD_ERRORS = 100;
const MAX_NAME_IN_ERROR = 64;
const MAX_LISTED_FIELDS = 20;

interface Plan {
  readonly field: InputField;
  readonly codes: Map<string, number>;
}

const kindOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

const shown = (name: string) =>
  name.length > MAX_NAME_IN_ERROR ? `${name.slice(0, MAX_NAME_IN_ERROR)}…` : name;

/**
 * Parses request rows against a fixed set of inputs; built once per model version.
 *
 * @example
 * const parser = new RowParser([{ name: 'x', type: 'numeric', nullable: true }]);
 * parser.parse([{ x: 1 }, { x: null }]); // { ok: true, columns: Map { x → [1, NaN] } }
 */
export class RowParser {
  readonly #plans: readonly Plan[];
  readonly #known: ReadonlySet<string>;
  readonly #passthrough: ReadonlySet<string>;

  /** `passthrough`: fields a row may carry that are not inputs (entity, event time); checked to be scalars. */
  constructor(inputs: readonly InputField[], passthrough: readonly string[] = []) {
    this.#plans = inputs.map((field) => ({
      field,
      codes: new Map((field.dictionary ?? []).map((v, i) => [v, i])),
    }));
    this.#passthrough = new Set(passthrough.filter((p) => !inputs.some((i) => i.name === p)));
    this.#known = new Set([...inputs.map((i) => i.name), ...this.#passthrough]);
  }

  #fieldList(): string {
    const names = [...this.#known];
    return names.length <= MAX_LISTED_FIELDS
      ? `fields are: ${names.join(', ')}`
      : `the model takes ${names.length} fields (see its metadata)`;
  }

  parse(rows: readonly unknown[]): ParsedRows {
    const n = rows.length;
    const errors: FieldError[] = [];
    let dropped = 0;
    const fail = (row: number, field: string, message: string) => {
      if (errors.length < MAX_FIELD_ERRORS) errors.push({ row, field: shown(field), message });
      else dropped++;
    };
    const plans = this.#plans;
    const numbers: (Float64Array | undefined)[] = plans.map((p) =>
      p.field.type === 'categorical' ? undefined : new Float64Array(n),
    );
    const codes: (Int32Array | undefined)[] = plans.map((p) =>
      p.field.type === 'categorical' ? new Int32Array(n) : undefined,
    );
    const unseen: (Map<string, number> | undefined)[] = new Array(plans.length);

    for (let r = 0; r < n; r++) {
      const row = rows[r];
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        fail(r, '(row)', `a row must be a JSON object, got ${kindOf(row)}`);
        continue;
      }
      const record = row as Readonly<Record<string, unknown>>;
      for (const key of Object.keys(record)) {
        if (this.#known.has(key)) {
          if (this.#passthrough.has(key)) {
            const v = record[key];
            if (v !== null && typeof v === 'object') {
              fail(r, key, `expected a string or number, got ${kindOf(v)}`);
            }
          }
          continue;
        }
        fail(r, key, `unknown field${didYouMean(key, this.#known)}; ${this.#fieldList()}`);
      }
      for (let c = 0; c < plans.length; c++) {
        const { field } = plans[c]!;
        const value = Object.hasOwn(record, field.name) ? record[field.name] : undefined;
        if (value === undefined || value === null) {
          if (!field.nullable) fail(r, field.name, 'is required (missing or null)');
          if (field.type === 'categorical') codes[c]![r] = -1;
          else numbers[c]![r] = Number.NaN;
          continue;
        }
        if (field.type === 'categorical') {
          const text =
            typeof value === 'string'
              ? value
              : typeof value === 'number' && Number.isSafeInteger(value)
                ? String(value)
                : undefined;
          if (text === undefined) {
            fail(r, field.name, `expected a string (a category), got ${kindOf(value)}`);
            continue;
          }
          if (text === '') {
            if (!field.nullable) fail(r, field.name, 'is required (empty string)');
            codes[c]![r] = -1;
            continue;
          }
          const plan = plans[c]!;
          let code = plan.codes.get(text);
          if (code === undefined) {
            const extra = unseen[c] ?? new Map<string, number>();
            unseen[c] = extra;
            code = extra.get(text);
            if (code === undefined) {
              code = plan.codes.size + extra.size;
              extra.set(text, code);
            }
          }
          codes[c]![r] = code;
          continue;
        }
        let x: number;
        if (typeof value === 'number') {
          if (!Number.isFinite(value)) {
            fail(r, field.name, 'must be a finite number');
            continue;
          }
          x = value;
        } else if (field.type === 'numeric' && typeof value === 'boolean') {
          x = value ? 1 : 0;
        } else if (field.type === 'timestamp' && typeof value === 'string') {
          x = parseIsoTimestamp(value);
          if (Number.isNaN(x)) {
            fail(r, field.name, 'is not a valid ISO 8601 date or date-time');
            continue;
          }
        } else {
          fail(
            r,
            field.name,
            field.type === 'numeric'
              ? `expected a number, got ${kindOf(value)}`
              : `expected an ISO 8601 date-time string or epoch milliseconds, got ${kindOf(value)}`,
          );
          continue;
        }
        numbers[c]![r] = x;
      }
    }
    if (errors.length > 0) {
      if (dropped > 0) {
        errors[errors.length - 1] = {
          row: errors[errors.length - 1]!.row,
          field: '(request)',
          message: `${dropped + 1} more field errors not shown`,
        };
      }
      return { ok: false, errors };
    }
    const columns = new Map<string, Column>();
    for (let c = 0; c < plans.length; c++) {
      const { field } = plans[c]!;
      if (field.type === 'categorical') {
        const base = field.dictionary ?? [];
        const extra = unseen[c];
        const dictionary = extra ? [...base, ...extra.keys()] : base;
        columns.set(field.name, { type: 'categorical', codes: codes[c]!, dictionary });
      } else {
        columns.set(field.name, { type: field.type, values: numbers[c]! });
      }
    }
    return { ok: true, columns };
  }
}
