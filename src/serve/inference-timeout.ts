/**
 * The inference deadline of one request. Scoring runs on the event loop and
 * cannot be interrupted, so the deadline is checked once scoring is done and
 * while the request waits for its log commit; a request past it (or aborted
 * by its caller) is rejected, never answered late.
 */
import { FlywheelError } from '../errors.js';

/** A request that took longer than the inference timeout (HTTP 504). */
export class InferenceTimeoutError extends FlywheelError {
  constructor(timeoutMs: number, cause?: unknown) {
    super('INFERENCE_TIMEOUT', `inference took longer than ${timeoutMs} ms`, {
      details: { timeoutMs },
      hint: 'retry; if it persists, send fewer rows per request',
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'InferenceTimeoutError';
  }
}

/** Throws InferenceTimeoutError when `deadline` (a performance.now() time) has passed or `signal` aborted. */
export function checkDeadline(deadline: number, timeoutMs: number, signal?: AbortSignal): void {
  if (signal?.aborted || performance.now() > deadline) throw new InferenceTimeoutError(timeoutMs);
}

/**
 * `work`, or an InferenceTimeoutError once `deadline` passes or `signal`
 * aborts. The work itself goes on (a log commit still completes).
 */
export function beforeDeadline<T>(
  work: Promise<T>,
  deadline: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = () => {
      cleanup();
      reject(new InferenceTimeoutError(timeoutMs));
    };
    const timer = setTimeout(fail, Math.max(0, deadline - performance.now()));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', fail);
    };
    signal?.addEventListener('abort', fail, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err) => {
        cleanup();
        reject(err);
      },
    );
  });
}
