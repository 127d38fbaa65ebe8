/**
 * Errors that point into the expression text: the message says where (line
 * and column, 1-based) and shows the expression with carets under the
 * offending part.
 */

import { FlywheelError } from '../../errors.js';
import type { Span } from './ast.js';

/** Lines longer than this are shown as a window around the error. */
const MAX_EXCERPT = 100;

export interface ExpressionErrorOptions {
  /** Text put right after the location, e.g. " (did you mean 'hour'?)". */
  readonly after?: string;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
}

/**
 * A FlywheelError whose message reads `<problem> at column <n><after>`, then
 * the expression line, then carets under `span`.
 *
 * @example
 * expressionError('EXPRESSION_SYNTAX', 'delay > ', { start: 8, end: 8 }, "expected a value after '>'")
 *   .message; // "expected a value after '>' at column 9\ndelay > \n        ^"
 */
export function expressionError(
  code: 'EXPRESSION_SYNTAX' | 'EXPRESSION_INVALID',
  source: string,
  span: Span,
  problem: string,
  options: ExpressionErrorOptions = {},
): FlywheelError {
  const lineStart = span.start === 0 ? 0 : source.lastIndexOf('\n', span.start - 1) + 1;
  const newline = source.indexOf('\n', span.start);
  const lineEnd = newline === -1 ? source.length : newline;
  const line = countNewlines(source, lineStart) + 1;
  const column = span.start - lineStart + 1;
  const where = source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
  const excerpt = caretExcerpt(
    source.slice(lineStart, lineEnd),
    span.start - lineStart,
    Math.min(span.end, lineEnd) - lineStart,
  );
  const message = `${problem} at ${where}${options.after ?? ''}\n${excerpt}`;
  return new FlywheelError(code, message, {
    details: { position: span.start, line, column, ...options.details },
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  });
}

function caretExcerpt(lineText: string, from: number, to: number): string {
  let text = lineText;
  let offset = 0;
  if (text.length > MAX_EXCERPT) {
    offset = Math.max(0, Math.min(from - MAX_EXCERPT / 2, text.length - MAX_EXCERPT));
    text = text.slice(offset, offset + MAX_EXCERPT);
  }
  // Tabs and other control characters become spaces so the carets line up.
  const shown = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const caretStart = from - offset;
  const caretCount = Math.max(1, Math.min(to, offset + text.length) - from);
  const prefix = offset > 0 ? '…' : '';
  const suffix = offset + text.length < lineText.length ? '…' : '';
  const pad = ' '.repeat(prefix.length + caretStart);
  return `${prefix}${shown}${suffix}\n${pad}${'^'.repeat(caretCount)}`;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
