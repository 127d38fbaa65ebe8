/**
 * The framing spec's expression language: a small, safe language for target
 * definitions (`delay > 15`), derived features (`hour(date)`) and rule
 * baselines (`origin in ('ORD', 'ATL') and hour(date) >= 17`). Expressions
 * are parsed, type-checked, then either translated to DuckDB SQL (`toSql`)
 * or evaluated over columns (`evaluate`); they are never run as JavaScript.
 *
 * The language, loosest binding first:
 * - `or` / `||`, `and` / `&&`, `not` / `!` (keywords are case-insensitive);
 * - one comparison `= == != <> < <= > >=`, `x [not] in (a, b)`,
 *   `x [not] between a and b` or `x is [not] null` (these do not chain);
 * - `+ -`, then `* / %`, then unary `-`;
 * - numbers (`15`, `0.5`, `1e-3`), strings in single or double quotes (escapes
 *   `\\ \' \" \n \t \r`, or a doubled quote), `true`, `false`, `null`,
 *   columns (`delay`, or `` `weird name` `` in backticks), parentheses, and the
 *   functions in FUNCTIONS (timestamp parts are UTC; day_of_week is 0 = Monday).
 *
 * Missing values follow SQL: arithmetic, functions and comparisons with a
 * missing input are missing; `and`/`or` use Kleene logic; min/max skip missing
 * inputs; x / 0, x % 0, log(x <= 0) and sqrt(x < 0) are missing.
 */

export type {
  ArithmeticOperator,
  ComparisonOperator,
  Expression,
  ExpressionNode,
  Span,
} from './ast.js';
export type { ColumnData, ColumnType, ExpressionType } from './column.js';
export { evaluate, evaluateColumn } from './evaluate.js';
export { FUNCTION_NAMES, FUNCTIONS, type FunctionName, type FunctionSpec } from './functions.js';
export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parseExpression } from './parser.js';
export { referencedColumns } from './referenced-columns.js';
export { sqlIdentifier, sqlString, toSql } from './to-sql.js';
export { typeCheck } from './type-check.js';
