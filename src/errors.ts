/**
 * The FlywheelError family: every error a user can see has a stable code, an
 * HTTP status and a CLI exit code, and serialises without a stack trace.
 *
 * Exit codes (DESIGN.md): 0 ok, 1 internal, 2 usage/config, 3 data,
 * 4 gate failed, 5 conflict.
 */

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  data: 3,
  gateFailed: 4,
  conflict: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every stable error code, with its HTTP status and CLI exit code. */
export const ERROR_CODES = {
  INTERNAL: { http: 500, exit: ExitCode.internal },
  USAGE: { http: 400, exit: ExitCode.usage },
  SPEC_NOT_FOUND: { http: 400, exit: ExitCode.usage },
  SPEC_SYNTAX: { http: 400, exit: ExitCode.usage },
  SPEC_INVALID: { http: 400, exit: ExitCode.usage },
  SPEC_NOT_FALSIFIABLE: { http: 400, exit: ExitCode.usage },
  EXPRESSION_SYNTAX: { http: 400, exit: ExitCode.usage },
  EXPRESSION_INVALID: { http: 400, exit: ExitCode.usage },
  DATA_NOT_FOUND: { http: 400, exit: ExitCode.data },
  DATA_UNREADABLE: { http: 400, exit: ExitCode.data },
  DATA_EMPTY: { http: 400, exit: ExitCode.data },
  DATA_TOO_LARGE: { http: 413, exit: ExitCode.data },
  SCHEMA_MISSING_COLUMN: { http: 400, exit: ExitCode.data },
  SCHEMA_TYPE_MISMATCH: { http: 400, exit: ExitCode.data },
  TARGET_INVALID: { http: 400, exit: ExitCode.data },
  SPLIT_EMPTY: { http: 400, exit: ExitCode.data },
  DATA_CHECK_FAILED: { http: 422, exit: ExitCode.data },
  GOVERNANCE_BLOCKED: { http: 422, exit: ExitCode.data },
  EVENTS_INVALID: { http: 400, exit: ExitCode.data },
  STORE_UNAVAILABLE: { http: 503, exit: ExitCode.internal },
  STORE_CONFIG: { http: 400, exit: ExitCode.usage },
  NOT_FOUND: { http: 404, exit: ExitCode.usage },
  CONFLICT: { http: 409, exit: ExitCode.conflict },
  ARTIFACT_CORRUPT: { http: 500, exit: ExitCode.data },
  INVALID_PATH: { http: 400, exit: ExitCode.usage },
  GATE_FAILED: { http: 409, exit: ExitCode.gateFailed },
  INFERENCE_TIMEOUT: { http: 504, exit: ExitCode.internal },
} as const satisfies Record<string, { http: number; exit: ExitCode }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FlywheelErrorOptions {
  /** Machine-readable facts about the failure (file, line, field, ...). */
  details?: Record<string, unknown>;
  /** A hint saying what would be valid, shown after the message. */
  hint?: string;
  cause?: unknown;
}

/**
 * Base of every error Flywheel shows to a user.
 *
 * @example
 * throw new FlywheelError('DATA_EMPTY', 'flights.csv: 0 rows');
 */
export class FlywheelError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: FlywheelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlywheelError';
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): ExitCode {
    return ERROR_CODES[this.code].exit;
  }

  /** The client-facing form: code and message only, never a stack or input. */
  toJSON(requestId?: string): {
    error: { code: ErrorCode; message: string; requestId?: string; details?: unknown };
  } {
    const details = Object.keys(this.details).length > 0 ? this.details : undefined;
    return {
      error: {
        code: this.code,
        message: this.hint ? `${this.message}\n${this.hint}` : this.message,
        ...(requestId === undefined ? {} : { requestId }),
        ...(details === undefined ? {} : { details }),
      },
    };
  }
}

/** Wraps anything thrown into a FlywheelError, keeping known ones intact. */
export function toFlywheelError(err: unknown): FlywheelError {
  if (err instanceof FlywheelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FlywheelError('INTERNAL', `internal error: ${message}`, { cause: err });
}
