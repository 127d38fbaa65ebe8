/**
 * Graceful shutdown on SIGTERM / SIGINT: the first signal stops accepting,
 * drains in-flight requests and closes the host (which flushes the
 * prediction log); a second signal exits at once.
 */

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const EXIT_ON_SECOND: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

export interface ShutdownHandle {
  /** Settles when a signal arrived and `close` finished. */
  readonly done: Promise<NodeJS.Signals>;
  /** Removes the handlers and gives the signals back to their previous listeners. */
  dispose(): void;
}

/**
 * Takes over SIGTERM and SIGINT while serving (the previous listeners are set
 * aside and restored by `dispose`).
 *
 * @example
 * const shutdown = handleShutdownSignals(() => server.close());
 * await shutdown.done;
 * shutdown.dispose();
 */
export function handleShutdownSignals(
  close: () => Promise<void>,
  options: { onSignal?: (signal: NodeJS.Signals) => void; exit?: (code: number) => never } = {},
): ShutdownHandle {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const previous = new Map(SIGNALS.map((s) => [s, process.listeners(s)] as const));
  for (const s of SIGNALS) process.removeAllListeners(s);
  let received: NodeJS.Signals | undefined;
  let resolve!: (signal: NodeJS.Signals) => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<NodeJS.Signals>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (received !== undefined) {
        exit(EXIT_ON_SECOND[signal]);
        return;
      }
      received = signal;
      options.onSignal?.(signal);
      close().then(() => resolve(signal), reject);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    done,
    dispose() {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
      for (const [signal, listeners] of previous) {
        for (const l of listeners) process.on(signal, l as () => void);
      }
    },
  };
}
