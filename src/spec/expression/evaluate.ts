/**
 * Evaluates an expression over whole columns at once: each node becomes one
 * typed array (or one constant), never one object per row. Missing values
 * follow SQL: arithmetic and comparisons with a missing side are missing,
 * `and`/`or` use Kleene logic, `is null` and coalesce see through them —
 * the same results `toSql` gives in DuckDB.
 */

import { FlywheelError } from '../../errors.js';
import type { Expression, ExpressionNode } from './ast.js';
import { calendarField, calendarValue } from './calendar.js';
import {
  type Categories,
  categoriesEqual,
  categoriesMissing,
  coalesceCategories,
  selectCategories,
  toCodes,
} from './categories.js';
import type { ColumnData, ColumnType, ExpressionType } from './column.js';
import { expressionError } from './expression-error.js';
import {
  ARITHMETIC,
  COMPARISON,
  FOLD,
  LOGIC,
  MATH,
  map1,
  map2,
  type Numbers,
  select,
  toArray,
} from './numbers.js';
import { referencedColumns } from './referenced-columns.js';
import { typeCheck } from './type-check.js';

type Value =
  | { readonly kind: 'numbers'; readonly values: Numbers }
  | { readonly kind: 'categories'; readonly values: Categories }
  | { readonly kind: 'null' };

const NULL: Value = { kind: 'null' };

/**
 * The value of `expr` on each of `rowCount` rows: numbers as they are,
 * timestamps as epoch milliseconds (UTC), true/false as 1/0, missing as NaN.
 * Type-checks `expr` against the columns first. A categorical result is an
 * EXPRESSION_INVALID error: use `evaluateColumn` for those.
 *
 * @example
 * const columns = new Map([['delay', { type: 'numeric', values: new Float64Array([5, 20, NaN]) }]]);
 * evaluate(parseExpression('delay > 15'), columns, 3); // Float64Array [0, 1, NaN]
 */
export function evaluate(
  expr: Expression,
  columns: ReadonlyMap<string, ColumnData>,
  rowCount: number,
): Float64Array {
  const result = evaluateColumn(expr, columns, rowCount);
  if (result.type === 'categorical') {
    throw expressionError(
      'EXPRESSION_INVALID',
      expr.source,
      expr.root.span,
      'evaluate() gives numbers, but this expression is categorical',
      { hint: "use evaluateColumn() for a categorical result, or compare it, e.g. origin = 'ORD'" },
    );
  }
  return result.values;
}

/**
 * The value of `expr` as a column: numeric (true/false conditions as 1/0),
 * timestamp or categorical. The result never shares memory with the inputs.
 *
 * @example
 * const origin = { type: 'categorical', codes: new Int32Array([0, -1]), dictionary: ['ORD'] } as const;
 * evaluateColumn(parseExpression("coalesce(origin, 'other')"), new Map([['origin', origin]]), 2);
 * // { type: 'categorical', codes: Int32Array [0, 1], dictionary: ['ORD', 'other'] }
 */
export function evaluateColumn(
  expr: Expression,
  columns: ReadonlyMap<string, ColumnData>,
  rowCount: number,
): ColumnData {
  const types = new Map<string, ColumnType>();
  for (const [name, column] of columns) types.set(name, column.type);
  const type = typeCheck(expr, types);
  for (const name of referencedColumns(expr)) checkLength(name, columns.get(name)!, rowCount);

  const value = new Evaluator(columns, rowCount).run(expr.root);
  if (value.kind === 'categories') {
    const { codes, dictionary } = toCodes(value.values, rowCount);
    return {
      type: 'categorical',
      codes: isInput(codes, columns) ? codes.slice() : codes,
      dictionary,
    };
  }
  const numbers = toArray(value.kind === 'numbers' ? value.values : Number.NaN, rowCount);
  const values = isInput(numbers, columns) ? numbers.slice() : numbers;
  return { type: resultColumnType(type), values };
}

class Evaluator {
  constructor(
    private readonly columns: ReadonlyMap<string, ColumnData>,
    private readonly rowCount: number,
  ) {}

  run(node: ExpressionNode): Value {
    switch (node.kind) {
      case 'number':
        return numbers(node.value);
      case 'string':
        return { kind: 'categories', values: node.value };
      case 'boolean':
        return numbers(node.value ? 1 : 0);
      case 'null':
        return NULL;
      case 'column': {
        const column = this.columns.get(node.name)!;
        return column.type === 'categorical'
          ? { kind: 'categories', values: column }
          : numbers(column.values);
      }
      case 'negate':
        return numbers(map1(this.numbers(node.operand), (x) => -x));
      case 'not':
        return numbers(map1(this.numbers(node.operand), LOGIC.not));
      case 'arithmetic':
        return numbers(
          map2(this.numbers(node.left), this.numbers(node.right), ARITHMETIC[node.operator]),
        );
      case 'logical':
        return numbers(
          map2(this.numbers(node.left), this.numbers(node.right), LOGIC[node.operator]),
        );
      case 'comparison': {
        const left = this.run(node.left);
        const right = this.run(node.right);
        if (node.operator === '=') return numbers(this.equal(left, right));
        if (node.operator === '<>') return numbers(map1(this.equal(left, right), LOGIC.not));
        return numbers(map2(asNumbers(left), asNumbers(right), COMPARISON[node.operator]));
      }
      case 'in': {
        // x in (a, b) is x = a or x = b, missing when nothing matches and any side is missing.
        const operand = this.run(node.operand);
        let found: Numbers = 0;
        for (const item of node.items) {
          found = map2(found, this.equal(operand, this.run(item)), LOGIC.or);
        }
        return numbers(node.negated ? map1(found, LOGIC.not) : found);
      }
      case 'between': {
        const operand = this.numbers(node.operand);
        const above = map2(operand, this.numbers(node.low), COMPARISON['>=']);
        const below = map2(operand, this.numbers(node.high), COMPARISON['<=']);
        const within = map2(above, below, LOGIC.and);
        return numbers(node.negated ? map1(within, LOGIC.not) : within);
      }
      case 'is-null': {
        const isMissing = this.missing(this.run(node.operand));
        return numbers(node.negated ? map1(isMissing, LOGIC.not) : isMissing);
      }
      case 'call':
        return this.call(node);
    }
  }

  private call(node: ExpressionNode & { kind: 'call' }): Value {
    const args = node.args.map((arg) => this.run(arg));
    const name = node.name;
    switch (name) {
      case 'minute':
      case 'hour':
      case 'day_of_week':
      case 'day_of_month':
      case 'month':
      case 'year': {
        const ms = asNumbers(args[0]!);
        return numbers(typeof ms === 'number' ? calendarValue(ms, name) : calendarField(ms, name));
      }
      case 'abs':
      case 'log':
      case 'exp':
      case 'sqrt':
      case 'floor':
      case 'ceil':
      case 'round':
        return numbers(map1(asNumbers(args[0]!), MATH[name]));
      case 'min':
      case 'max':
        return numbers(args.map(asNumbers).reduce((acc, next) => map2(acc, next, FOLD[name])));
      case 'coalesce':
        if (args.some((a) => a.kind === 'categories')) {
          const values = coalesceCategories(args.map(asCategories), this.rowCount);
          return { kind: 'categories', values };
        }
        if (args.every((a) => a.kind === 'null')) return NULL;
        return numbers(args.map(asNumbers).reduce((acc, next) => map2(acc, next, FOLD.coalesce)));
      case 'if': {
        const [condition, then, otherwise] = args as [Value, Value, Value];
        const when = asNumbers(condition);
        if (then.kind === 'categories' || otherwise.kind === 'categories') {
          const values = selectCategories(
            when,
            asCategories(then),
            asCategories(otherwise),
            this.rowCount,
          );
          return { kind: 'categories', values };
        }
        if (then.kind === 'null' && otherwise.kind === 'null') return NULL;
        return numbers(select(when, asNumbers(then), asNumbers(otherwise), this.rowCount));
      }
      case 'is_missing':
        return numbers(this.missing(args[0]!));
    }
  }

  private numbers(node: ExpressionNode): Numbers {
    return asNumbers(this.run(node));
  }

  private equal(left: Value, right: Value): Numbers {
    if (left.kind === 'categories' || right.kind === 'categories') {
      return categoriesEqual(asCategories(left), asCategories(right), this.rowCount);
    }
    return map2(asNumbers(left), asNumbers(right), COMPARISON['=']);
  }

  private missing(value: Value): Numbers {
    if (value.kind === 'categories') return categoriesMissing(value.values);
    return map1(asNumbers(value), LOGIC.isMissing);
  }
}

function numbers(values: Numbers): Value {
  return { kind: 'numbers', values };
}

/** The type checker has ruled out categories here; null is NaN on every row. */
function asNumbers(value: Value): Numbers {
  if (value.kind === 'numbers') return value.values;
  if (value.kind === 'null') return Number.NaN;
  throw new FlywheelError('INTERNAL', 'expression evaluator: categories where numbers belong');
}

function asCategories(value: Value): Categories {
  if (value.kind === 'categories') return value.values;
  if (value.kind === 'null') return null;
  throw new FlywheelError('INTERNAL', 'expression evaluator: numbers where categories belong');
}

function resultColumnType(type: ExpressionType): 'numeric' | 'timestamp' {
  return type === 'timestamp' ? 'timestamp' : 'numeric';
}

function checkLength(name: string, column: ColumnData, rowCount: number): void {
  const length = column.type === 'categorical' ? column.codes.length : column.values.length;
  if (length !== rowCount) {
    throw new RangeError(`column ${name} has ${length} values, expected ${rowCount}`);
  }
}

function isInput(
  array: Float64Array | Int32Array,
  columns: ReadonlyMap<string, ColumnData>,
): boolean {
  for (const column of columns.values()) {
    if ((column.type === 'categorical' ? column.codes : column.values) === array) return true;
  }
  return false;
}
