/**
 * Translates an expression into DuckDB SQL with the same meaning as
 * `evaluate`, including for missing values: where DuckDB would raise an error
 * or produce a NaN that is not NULL (x / 0, x % 0, log(0), sqrt(-1)), the SQL
 * yields NULL, which `evaluate` writes as NaN.
 *
 * Safety: column names are always double-quoted (embedded quotes doubled),
 * strings single-quoted (embedded quotes doubled), function names come from
 * the whitelist, and every compound part is parenthesised, so no input can
 * change the structure of the SQL or open a `--` comment.
 */

import type { Expression, ExpressionNode } from './ast.js';
import type { FunctionName } from './functions.js';

/**
 * The DuckDB SQL text of `expr`. The columns it names must exist in the
 * query's FROM clause with the types given to `typeCheck` (numbers as
 * DOUBLE or an integer type, categoricals as VARCHAR, timestamps as
 * TIMESTAMP in UTC); type-check `expr` first.
 *
 * @example
 * toSql(parseExpression("origin in ('ORD', 'ATL') and hour(date) >= 17"));
 * // ("origin" IN ('ORD', 'ATL')) AND (hour("date") >= 17::DOUBLE)
 */
export function toSql(expr: Expression): string {
  return sql(expr.root);
}

/**
 * A double-quoted SQL identifier.
 *
 * @example
 * sqlIdentifier('a"b'); // '"a""b"'
 */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A single-quoted SQL string literal.
 *
 * @example
 * sqlString("O'Hare"); // "'O''Hare'"
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Numbers become DOUBLE literals, so that arithmetic on them is floating
 * point as in `evaluate`: DuckDB types `2147483647 + 1` as INTEGER (an
 * overflow error) and `0.1 + 0.2` as DECIMAL (exactly 0.3). `String(value)`
 * is the shortest text that reads back as the same double.
 */
function sqlNumber(value: number): string {
  return `${String(value)}::DOUBLE`;
}

const FUNCTION_SQL: { readonly [name in FunctionName]: (args: readonly string[]) => string } = {
  minute: ([x]) => `minute(${x})`,
  hour: ([x]) => `hour(${x})`,
  day_of_week: ([x]) => `(isodow(${x}) - 1)`,
  day_of_month: ([x]) => `dayofmonth(${x})`,
  month: ([x]) => `month(${x})`,
  year: ([x]) => `year(${x})`,
  abs: ([x]) => `abs(${x})`,
  // DuckDB's log() is base 10, and ln() and sqrt() raise an error outside
  // their domain; TRY turns that error into NULL. Generated arithmetic is on
  // DOUBLEs, which cannot raise, so TRY hides nothing else (unless integer
  // columns overflow inside the argument).
  log: ([x]) => `try(ln(${x}))`,
  exp: ([x]) => `exp(${x})`,
  sqrt: ([x]) => `try(sqrt(${x}))`,
  floor: ([x]) => `floor(${x})`,
  ceil: ([x]) => `ceil(${x})`,
  round: ([x]) => `round(${x})`,
  // least/greatest skip NULLs, as min/max do in `evaluate`.
  min: (args) => `least(${args.join(', ')})`,
  max: (args) => `greatest(${args.join(', ')})`,
  coalesce: (args) => `coalesce(${args.join(', ')})`,
  // A missing condition takes the else branch, as in `evaluate`.
  if: ([condition, then, otherwise]) =>
    `(CASE WHEN ${condition} THEN ${then} ELSE ${otherwise} END)`,
  is_missing: ([x]) => `(${x} IS NULL)`,
};

function sql(node: ExpressionNode): string {
  switch (node.kind) {
    case 'number':
      return sqlNumber(node.value);
    case 'string':
      return sqlString(node.value);
    case 'boolean':
      return node.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'column':
      return sqlIdentifier(node.name);
    case 'negate':
      return `-${operand(node.operand)}`;
    case 'not':
      return `NOT ${operand(node.operand)}`;
    case 'arithmetic': {
      const left = operand(node.left);
      const right = operand(node.right);
      // Division and remainder by zero are missing, not ±Infinity or NaN.
      const safeDivisor = node.right.kind === 'number' && node.right.value !== 0;
      if ((node.operator === '/' || node.operator === '%') && !safeDivisor) {
        return `${left} ${node.operator} NULLIF(${right}, 0)`;
      }
      return `${left} ${node.operator} ${right}`;
    }
    case 'comparison':
      return `${operand(node.left)} ${node.operator} ${operand(node.right)}`;
    case 'logical':
      return `${operand(node.left)} ${node.operator.toUpperCase()} ${operand(node.right)}`;
    case 'in': {
      const items = node.items.map(operand).join(', ');
      return `${operand(node.operand)} ${node.negated ? 'NOT IN' : 'IN'} (${items})`;
    }
    case 'between': {
      const keyword = node.negated ? 'NOT BETWEEN' : 'BETWEEN';
      return `${operand(node.operand)} ${keyword} ${operand(node.low)} AND ${operand(node.high)}`;
    }
    case 'is-null':
      return `${operand(node.operand)} ${node.negated ? 'IS NOT NULL' : 'IS NULL'}`;
    case 'call':
      return FUNCTION_SQL[node.name](node.args.map(operand));
  }
}

/**
 * `node` as an operand: literals, columns and calls (which the table above
 * keeps self-contained) go bare, the rest in parentheses. No operand starts
 * with '-', so a unary minus never forms a `--` comment.
 */
function operand(node: ExpressionNode): string {
  const text = sql(node);
  switch (node.kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'null':
    case 'column':
    case 'call':
      return text;
    default:
      return `(${text})`;
  }
}
