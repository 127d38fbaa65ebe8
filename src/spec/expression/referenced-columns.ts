/**
 * The columns an expression reads, e.g. to select only those from a table.
 */

import { childNodes, type Expression, type ExpressionNode } from './ast.js';

/**
 * The distinct column names `expr` refers to, in order of first appearance.
 *
 * @example
 * referencedColumns(parseExpression('if(delay > 15, distance, delay)')); // ['delay', 'distance']
 */
export function referencedColumns(expr: Expression): string[] {
  const names = new Set<string>();
  const pending: ExpressionNode[] = [expr.root];
  // An explicit stack: source order without recursion over deep trees.
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === 'column') names.add(node.name);
    pending.push(...[...childNodes(node)].reverse());
  }
  return [...names];
}
