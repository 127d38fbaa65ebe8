/**
 * Errors the HTTP layer raises itself (authentication, body limits, timeouts),
 * and the one client-facing shape every error takes:
 * `{error:{code,message,requestId}}`, never a stack trace or an echoed value.
 */
import { FlywheelError } from '../errors.js';

/** The server's own error codes and their HTTP status. */
export const SERVER_ERROR_CODES = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ROWS: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  NOT_READY: 503,
  UNAVAILABLE: 503,
  INFERENCE_TIMEOUT: 504,
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

/** A field-level input problem; `row` is absent for a problem with the request as a whole. */
export interface FieldProblem {
  readonly row?: number;
  readonly field: string;
  readonly message: string;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    fields?: FieldProblem[];
  };
}

/**
 * An error with an HTTP status, raised by the server's own checks.
 *
 * @example
 * throw new HttpError('TOO_MANY_ROWS', '5000 rows; at most 1000 per request');
 */
export class HttpError extends Error {
  readonly code: ServerErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  readonly fields: readonly FieldProblem[] | undefined;

  constructor(
    code: ServerErrorCode,
    message: string,
    options: { headers?: Record<string, string>; fields?: readonly FieldProblem[] } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.headers = options.headers ?? {};
    this.fields = options.fields;
  }

  get status(): number {
    return SERVER_ERROR_CODES[this.code];
  }
}

const GENERIC_MESSAGE: Partial<Record<number, string>> = {
  500: 'internal error; the request id identifies it in the server log',
  503: 'service unavailable; retry shortly',
};

/** Fastify's own errors that a client caused, mapped to ours. */
const FASTIFY_CODES: Record<string, { code: ServerErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'only application/json (UTF-8) bodies are accepted',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    message: 'the body length does not match Content-Length',
  },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: 'malformed URL' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'BAD_REQUEST', message: 'bad request' },
};

/** What a client sees for `err`: a status, headers and a body that never carries a stack or input. */
export function describeError(
  err: unknown,
  requestId: string,
): { status: number; headers: Record<string, string>; body: ErrorBody } {
  const body = (code: string, message: string, fields?: readonly FieldProblem[]): ErrorBody => ({
    error: { code, message, requestId, ...(fields === undefined ? {} : { fields: [...fields] }) },
  });
  if (err instanceof HttpError) {
    return {
      status: err.status,
      headers: { ...err.headers },
      body: body(err.code, err.message, err.fields),
    };
  }
  if (err instanceof FlywheelError) {
    const status = err.httpStatus;
    const message =
      GENERIC_MESSAGE[status] ?? (err.hint ? `${err.message}\n${err.hint}` : err.message);
    return {
      status,
      headers: status === 503 ? { 'retry-after': '1' } : {},
      body: body(status >= 500 && status !== 503 ? 'INTERNAL' : err.code, message),
    };
  }
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (known) {
    return {
      status: SERVER_ERROR_CODES[known.code],
      headers: {},
      body: body(known.code, known.message),
    };
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, headers: {}, body: body('BAD_REQUEST', 'bad request') };
  }
  return { status: 500, headers: {}, body: body('INTERNAL', GENERIC_MESSAGE[500]!) };
}
