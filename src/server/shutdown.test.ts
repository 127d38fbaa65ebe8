import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from './shutdown.js';

describe('handleShutdownSignals', () => {
  it('closes once on the first signal, exits at once on the second, and gives the signals back', async () => {
    const before = process.listeners('SIGTERM').length;
    let closes = 0;
    const exits: number[] = [];
    let finishClose!: () => void;
    const shutdown = handleShutdownSignals(
      () => {
        closes++;
        return new Promise<void>((resolve) => {
          finishClose = resolve;
        });
      },
      {
        exit: ((code: number) => {
          exits.push(code);
        }) as (code: number) => never,
      },
    );
    try {
      expect(process.listeners('SIGTERM')).toHaveLength(1);
      process.emit('SIGTERM');
      process.emit('SIGINT');
      expect(closes).toBe(1);
      expect(exits).toEqual([130]);
      finishClose();
      await expect(shutdown.done).resolves.toBe('SIGTERM');
    } finally {
      shutdown.dispose();
    }
    expect(process.listeners('SIGTERM')).toHaveLength(before);
  });
});
