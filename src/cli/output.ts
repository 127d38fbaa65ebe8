/**
 * How the CLI talks to a person or a program: aligned tables, `--json`
 * documents, errors without stack traces, and a progress bar on stderr that
 * appears only on a terminal (never in `--json` mode or in CI logs).
 */
import cliProgress from 'cli-progress';
import { FlywheelError, toFlywheelError } from '../errors.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal, so a progress bar may be drawn. */
  interactive: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY) && process.env['CI'] !== 'true',
};

/** Formats rows as an aligned text table with a header line. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => ((align?.[i] ?? 'l') === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A number with at most `digits` decimals, or '-' when not finite. */
export function fmt(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return value.toFixed(digits);
}

/** Writes `value` as pretty JSON to stdout. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Prints an error for a person (or as JSON) and returns its exit code. */
export function reportError(io: Io, err: unknown, json: boolean): number {
  const error = toFlywheelError(err);
  if (json) {
    io.out(JSON.stringify({ ok: false, ...error.toJSON() }, null, 2));
  } else {
    io.err(`error [${error.code}]: ${error.message}`);
    if (error.hint) io.err(`hint: ${error.hint}`);
    if (
      error.code === 'INTERNAL' &&
      process.env['FLYWHEEL_DEBUG'] &&
      error.cause instanceof Error
    ) {
      io.err(error.cause.stack ?? '');
    }
  }
  return error.exitCode;
}

/** A progress bar for long work; a no-op when not on a terminal. */
export function progressBar(io: Io, label: string, enabled: boolean) {
  if (!enabled || !io.interactive) {
    return { update: (_value: number, _total: number) => {}, stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value: number, total: number) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(value);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export { FlywheelError };

/** Thrown by a command that has already printed its outcome and must exit non-zero (e.g. 4: gate failed). */
export class ExitWith extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
