/**
 * Syntax checks of every expression in a spec (target.positive, derived
 * features, rule baselines), reported at the line and column of the fault
 * inside the YAML file. Column references are checked later, against data.
 */
import { FlywheelError } from '../errors.js';
import { parseExpression } from './expression/index.js';
import { dotted, type LoadedSpec, type SpecIssue } from './load.js';
import type { SpecPath } from './locate.js';

/** The spec paths of every expression, with their text. */
export function specExpressions(loaded: LoadedSpec): { path: SpecPath; text: string }[] {
  const { spec } = loaded;
  const out: { path: SpecPath; text: string }[] = [];
  if (spec.target.positive !== undefined)
    out.push({ path: ['target', 'positive'], text: spec.target.positive });
  for (const [name, text] of Object.entries(spec.features?.derive ?? {})) {
    out.push({ path: ['features', 'derive', name], text });
  }
  for (const [i, rule] of (spec.baselines?.rules ?? []).entries()) {
    out.push({ path: ['baselines', 'rules', i, 'expression'], text: rule.expression });
  }
  return out;
}

export function checkExpressions(loaded: LoadedSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const { path, text } of specExpressions(loaded)) {
    try {
      parseExpression(text);
    } catch (err) {
      if (!(err instanceof FlywheelError)) throw err;
      const scalar = loaded.locator.scalarAt(path);
      const pos = scalar?.position ?? loaded.locator.valueAt(path);
      const offset = typeof err.details.column === 'number' ? err.details.column - 1 : 0;
      // A plain one-line scalar starts exactly at the expression's first character.
      const column =
        scalar?.plain && !scalar.text.includes('\n') ? pos.column + offset : pos.column;
      issues.push({
        severity: 'error',
        file: loaded.locator.file,
        line: pos.line,
        column,
        field: dotted(path),
        message: err.message,
      });
    }
  }
  return issues;
}
