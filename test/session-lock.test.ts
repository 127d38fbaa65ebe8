/**
 * The SessionLock conformance suite: every test runs against every store
 * engine (SQLite always, PostgreSQL on the real server), with no mocks: one
 * session at a time, released on release(), on the holder's death (a child
 * process killed with SIGKILL) and, on PostgreSQL, when the server ends the
 * lock's connection. The child (test/fixtures/store/lock-holder.mjs) runs the
 * built code in dist/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  lockKey,
  openSessionLock,
  type SessionLock,
  STORE_ENGINES,
  type StoreLocation,
} from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

const harnesses: StoreHarness[] = [sqliteHarness(), await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

beforeAll(() => {
  if (!existsSync(path.resolve('dist/store/index.js')))
    throw new Error('run `npm run build` first (npm test does)');
});

const NAME = 'flywheel:controller';
/** Generous: a killed holder's lock is free within milliseconds; this only bounds a broken one. */
const RELEASE_BOUND_MS = 5000;

describe('session lock coverage', () => {
  it('has a harness for every store engine', () => {
    expect(harnesses.map((h) => h.engine).sort()).toEqual([...STORE_ENGINES].sort());
  });

  it('derives one stable, positive 63-bit key from a name', () => {
    expect(lockKey(NAME)).toBe('4365842415491225579');
    expect(BigInt(lockKey('another'))).toBeGreaterThan(0n);
    expect(lockKey('another')).not.toBe(lockKey(NAME));
  });
});

for (const harness of harnesses) {
  if (harness.skipReason) {
    console.warn(`[session lock] ${harness.engine} SKIPPED: ${harness.skipReason}`);
  }
  const title = harness.skipReason
    ? `SessionLock on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `SessionLock on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => conformance(harness));
}

function conformance(harness: StoreHarness): void {
  const locks: SessionLock[] = [];
  const children: ChildProcess[] = [];
  let location: StoreLocation;

  beforeAll(async () => {
    location = await harness.fresh();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(locks.splice(0).map((l) => l.release()));
  });

  const open = (name = NAME) => {
    const lock = openSessionLock(location, name, { timeoutMs: 3000 });
    locks.push(lock);
    return lock;
  };

  /** A child process that takes the lock; resolves once it says whether it holds it. */
  const holder = (name = NAME) =>
    new Promise<{ child: ChildProcess; held: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, [
        path.resolve('test/fixtures/store/lock-holder.mjs'),
        JSON.stringify(location),
        name,
      ]);
      children.push(child);
      let out = '';
      let err = '';
      child.stderr.on('data', (chunk) => {
        err += chunk;
      });
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve({ child, held: out.startsWith('held') });
      });
      child.on('exit', (code) => reject(new Error(`lock holder exited (${code}):\n${err}`)));
    });

  /** Tries `lock` until it is taken; the time it took. */
  const takeWithin = async (lock: SessionLock, boundMs: number) => {
    const started = performance.now();
    while (!(await lock.tryAcquire())) {
      if (performance.now() - started > boundMs) throw new Error(`not free after ${boundMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return performance.now() - started;
  };

  it('is held by one session at a time, and is free again once released', async () => {
    const a = open();
    const b = open();
    expect(await a.held()).toBe(false);
    expect(await a.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect([await a.held(), await b.held()]).toEqual([true, false]);
    await a.release();
    expect(await a.held()).toBe(false);
    // One release frees it, however often the holder asked.
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
  });

  it('keeps locks of different names apart', async () => {
    const a = open('flywheel:controller');
    const b = open('flywheel:other-job');
    expect([await a.tryAcquire(), await b.tryAcquire()]).toEqual([true, true]);
  });

  it('excludes another process, and is released when that process is killed', async () => {
    const { child, held } = await holder();
    expect(held).toBe(true);
    const mine = open();
    expect(await mine.tryAcquire()).toBe(false);
    child.kill('SIGKILL');
    const ms = await takeWithin(mine, RELEASE_BOUND_MS);
    console.log(`[session lock] ${harness.engine}: free ${ms.toFixed(0)} ms after SIGKILL`);
    expect(await mine.held()).toBe(true);
  });

  it.skipIf(harness.engine !== 'postgres')(
    'reports the loss when the server ends its connection, and the lock is free (PostgreSQL only: a file lock has no connection)',
    async () => {
      const a = open();
      const b = open();
      const lost = new Promise<unknown>((resolve) => a.onLost(resolve));
      expect(await a.tryAcquire()).toBe(true);
      const admin = new pg.Client({ connectionString: (location as { url: string }).url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
          [lockKey(NAME)],
        );
        expect(rows).toHaveLength(1);
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      await lost;
      expect(await a.held()).toBe(false);
      expect(await b.tryAcquire()).toBe(true);
      // The old holder reconnects and finds the lock taken.
      expect(await a.tryAcquire()).toBe(false);
    },
  );

  it.skipIf(harness.engine !== 'postgres')(
    'loses the lock when its session stays silent past the idle timeout (a frozen or cut-off holder; PostgreSQL only)',
    async () => {
      const silent = openSessionLock(location, NAME, { idleTimeoutMs: 500 });
      locks.push(silent);
      const lost = new Promise<unknown>((resolve) => silent.onLost(resolve));
      expect(await silent.tryAcquire()).toBe(true);
      const other = open();
      expect(await other.tryAcquire()).toBe(false);
      const ms = await takeWithin(other, RELEASE_BOUND_MS);
      console.log(`[session lock] postgres: free ${ms.toFixed(0)} ms into a 500 ms idle timeout`);
      await lost;
      expect(await silent.held()).toBe(false);
    },
  );
}
