/**
 * Loads `flywheel.yaml`: reads it, parses YAML (core schema, no custom tags),
 * resolves `${ENV}` references, validates against the zod schema and turns
 * every problem into an issue that names file:line:column, the field, what
 * was found and what would be valid.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FlywheelError } from '../errors.js';
import { resolveEnv } from './env.js';
import { SpecLocator, type SpecPath } from './locate.js';
import { type Spec, SpecSchema } from './schema.js';
import { validKeysAt } from './schema-walk.js';
import { didYouMean } from './suggest.js';

export const SPEC_FILE_NAME = 'flywheel.yaml';

export interface SpecIssue {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path, e.g. `split.train.until`. */
  readonly field: string;
  readonly message: string;
  /** `setup`: the spec is consistent as a framing but cannot run as written (not a falsifiability problem). */
  readonly kind?: 'setup';
}

export interface LoadedSpec {
  readonly spec: Spec;
  /** Absolute path of the spec file. */
  readonly file: string;
  /** Folder holding the spec; relative paths in it resolve from here. */
  readonly dir: string;
  /** sha256 of the file's bytes. */
  readonly hash: string;
  readonly locator: SpecLocator;
}

/** Formats an issue as `file:line:col: field: message`. */
export function formatIssue(issue: SpecIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Throws a SPEC_INVALID (or given code) error carrying every issue. */
export function specError(
  issues: readonly SpecIssue[],
  code: 'SPEC_INVALID' | 'SPEC_SYNTAX' | 'SPEC_NOT_FALSIFIABLE' = 'SPEC_INVALID',
): FlywheelError {
  const errors = issues.filter((i) => i.severity === 'error');
  // A lint run that found only setup problems is an invalid spec, not an unfalsifiable one.
  if (code === 'SPEC_NOT_FALSIFIABLE' && errors.every((i) => i.kind === 'setup')) {
    code = 'SPEC_INVALID';
  }
  const head = `${errors.length} problem${errors.length === 1 ? '' : 's'} in the spec:`;
  return new FlywheelError(code, [head, ...errors.map((i) => `  ${formatIssue(i)}`)].join('\n'), {
    details: { issues },
  });
}

/** The spec file a user meant by `target` (a file, or a folder holding flywheel.yaml). */
export function resolveSpecPath(target = '.'): string {
  const absolute = path.resolve(target);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    throw new FlywheelError('SPEC_NOT_FOUND', `spec not found: ${target} does not exist`, {
      hint: 'Run `flywheel init` to create a project, or pass the path of a flywheel.yaml.',
    });
  }
  if (stats.isDirectory()) {
    const inside = path.join(absolute, SPEC_FILE_NAME);
    try {
      if (statSync(inside).isFile()) return inside;
    } catch {
      // fall through to the error below
    }
    throw new FlywheelError(
      'SPEC_NOT_FOUND',
      `spec not found: ${target} is a directory without ${SPEC_FILE_NAME}`,
      {
        hint: 'Run `flywheel init` there, or pass the path of a flywheel.yaml.',
      },
    );
  }
  return absolute;
}

/**
 * Reads and validates a spec.
 *
 * @example
 * const { spec, dir } = loadSpec('examples/flights');
 * console.log(spec.task, spec.target.column);
 */
export function loadSpec(target = '.', env: NodeJS.ProcessEnv = process.env): LoadedSpec {
  const file = resolveSpecPath(target);
  const shownFile = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlywheelError(
      'SPEC_NOT_FOUND',
      `cannot read spec ${shownFile}: ${(err as Error).message}`,
    );
  }
  return parseSpec(text, shownFile, env, path.dirname(file), file);
}

/** Validates spec text; `file` is only used in messages. */
export function parseSpec(
  text: string,
  file = SPEC_FILE_NAME,
  env: NodeJS.ProcessEnv = process.env,
  dir = process.cwd(),
  absoluteFile = path.resolve(dir, file),
): LoadedSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    schema: 'core',
  });
  const locator = new SpecLocator(file, doc, lineCounter);
  const syntax = [...doc.errors, ...doc.warnings].map((e): SpecIssue => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    return {
      severity: 'error',
      file,
      line: pos.line,
      column: pos.col,
      field: '',
      message: `YAML ${e.code === 'TAG_RESOLVE_FAILED' ? 'tag not allowed' : 'syntax error'}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    };
  });
  if (syntax.length > 0) throw specError(syntax, 'SPEC_SYNTAX');

  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) {
    throw specError([
      {
        severity: 'error',
        file,
        line: 1,
        column: 1,
        field: '',
        message: 'the spec is empty; it must be a mapping of keys such as name, task, target',
      },
    ]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const found = Array.isArray(raw) ? 'a list' : `a ${typeof raw}`;
    throw specError([
      {
        severity: 'error',
        file,
        line: 1,
        column: 1,
        field: '',
        message: `the spec must be a mapping (key: value), found ${found}`,
      },
    ]);
  }

  const envIssues: SpecIssue[] = [];
  const resolved = resolveEnv(raw, env, (p, name) => {
    const pos = locator.valueAt(p);
    envIssues.push({
      severity: 'error',
      file,
      ...pos,
      field: dotted(p),
      message: `environment variable \${${name}} is not set`,
    });
  });
  if (envIssues.length > 0) throw specError(envIssues);

  const parsed = SpecSchema.safeParse(resolved);
  if (!parsed.success) {
    throw specError(
      parsed.error.issues.flatMap((issue) => zodIssueToSpecIssues(issue, raw, locator)),
    );
  }
  return {
    spec: parsed.data,
    file: absoluteFile,
    dir,
    hash: createHash('sha256').update(text).digest('hex'),
    locator,
  };
}

export function dotted(p: SpecPath): string {
  return p
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAtPath(root: unknown, p: SpecPath): unknown {
  let cur = root;
  for (const seg of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** A short, safe description of a found value (never more than 60 characters). */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

function zodIssueToSpecIssues(
  issue: z.core.$ZodIssue,
  raw: unknown,
  locator: SpecLocator,
): SpecIssue[] {
  const p = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const found = valueAtPath(raw, p);
  const at = (
    pos: { line: number; column: number },
    field: string,
    message: string,
  ): SpecIssue => ({
    severity: 'error',
    file: locator.file,
    line: pos.line,
    column: pos.column,
    field,
    message,
  });
  if (
    found === undefined &&
    p.length > 0 &&
    issue.code !== 'unrecognized_keys' &&
    issue.code !== 'custom'
  ) {
    const key = p[p.length - 1];
    const valid =
      issue.code === 'invalid_value'
        ? `; valid values: ${issue.values.map(String).join(', ')}`
        : '';
    return [
      at(
        locator.valueAt(p.slice(0, -1)),
        dotted(p),
        `missing required key "${String(key)}"${valid}`,
      ),
    ];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = validKeysAt(SpecSchema, p);
      return issue.keys.map((key) =>
        at(
          locator.keyAt(p, key),
          dotted([...p, key]),
          `unknown key "${key}"${didYouMean(key, valid)}; valid keys here: ${valid.join(', ')}`,
        ),
      );
    }
    case 'invalid_type': {
      return [
        at(
          locator.valueAt(p),
          dotted(p),
          `expected ${issue.expected}, found ${describeFound(found)}`,
        ),
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const hint = typeof found === 'string' ? didYouMean(found, values) : '';
      return [
        at(
          locator.valueAt(p),
          dotted(p),
          `found ${describeFound(found)}; valid values: ${values.join(', ')}${hint}`,
        ),
      ];
    }
    case 'invalid_union': {
      const options =
        'options' in issue && Array.isArray(issue.options) ? issue.options.map(String) : [];
      if (options.length > 0) {
        const hint = typeof found === 'string' ? didYouMean(found, options) : '';
        return [
          at(
            locator.valueAt(p),
            dotted(p),
            `found ${describeFound(found)}; valid values: ${options.join(', ')}${hint}`,
          ),
        ];
      }
      return [at(locator.valueAt(p), dotted(p), `${issue.message}, found ${describeFound(found)}`)];
    }
    case 'too_small':
    case 'too_big': {
      const op =
        issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what =
        issue.origin === 'string'
          ? 'length must be'
          : issue.origin === 'array'
            ? 'must have a count'
            : 'must be';
      return [
        at(
          locator.valueAt(p),
          dotted(p),
          `${what} ${op} ${String(limit)}, found ${describeFound(found)}`,
        ),
      ];
    }
    default:
      return [at(locator.valueAt(p), dotted(p), `${issue.message}, found ${describeFound(found)}`)];
  }
}
