import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testDir } from '../../test/fixtures/tmp.js';
import { openStore, type SessionLock, type Stores } from '../store/index.js';
import { FakeRegistry } from './fixtures/fake-registry.js';
import { serveFixture } from './fixtures/serve-bundle.js';
import { LeaderElector, type LeadershipChange } from './leader-election.js';
import { PredictionLogger } from './prediction-logger.js';
import { RegistryModelHost } from './registry-model-host.js';

/**
 * One lock "server" shared by the sessions of several fake replicas: a
 * session holds the lock until it releases it or its connection is cut
 * (which the server notices at once, as PostgreSQL does when a socket closes).
 */
class LockServer {
  holder: FakeSession | undefined;
  session(name: string): FakeSession {
    return new FakeSession(this, name);
  }
}

class FakeSession implements SessionLock {
  readonly name = 'test:controller';
  readonly description: string;
  /** Every call rejects while set (the database is unreachable). */
  unreachable = false;
  /** Every call hangs while set (a half-open connection). */
  hanging = false;
  releases = 0;
  readonly #server: LockServer;
  readonly #listeners = new Set<(reason: unknown) => void>();

  constructor(server: LockServer, replica: string) {
    this.#server = server;
    this.description = `fake lock of ${replica}`;
  }

  async tryAcquire(): Promise<boolean> {
    await this.#reach();
    this.#server.holder ??= this;
    return this.#server.holder === this;
  }

  async held(): Promise<boolean> {
    await this.#reach();
    return this.#server.holder === this;
  }

  async release(): Promise<void> {
    this.releases++;
    if (this.#server.holder === this) this.#server.holder = undefined;
  }

  onLost(listener: (reason: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The connection drops: the server frees the lock, the session reports it. */
  cut(): void {
    if (this.#server.holder === this) this.#server.holder = undefined;
    for (const listener of this.#listeners) listener(new Error('connection reset'));
  }

  #reach(): Promise<void> {
    if (this.hanging) return new Promise(() => {});
    if (this.unreachable) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve();
  }
}

const started: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.stop()));
});

/** A manually ticked elector (intervalMs 0) on a clock that reads 1 s later each time. */
function elector(lock: SessionLock, options: { timeoutMs?: number; leaseMs?: number } = {}) {
  let t = Date.parse('2024-05-01T00:00:00Z');
  const changes: LeadershipChange[] = [];
  const errors: unknown[] = [];
  const e = new LeaderElector(lock, {
    intervalMs: 0,
    clock: () => {
      t += 1000;
      return new Date(t);
    },
    onError: (err) => errors.push(err),
    ...options,
  });
  e.onChange((c) => changes.push(c));
  started.push(e);
  return { e, changes, errors };
}

describe('LeaderElector', () => {
  it('lets the first replica to take the lock lead; the others follow', async () => {
    const server = new LockServer();
    const a = elector(server.session('a'));
    const b = elector(server.session('b'));
    expect(await a.e.tick()).toBe(true);
    expect(await b.e.tick()).toBe(false);
    expect(await a.e.tick()).toBe(true);
    expect(a.changes).toMatchObject([{ leader: true, reason: 'took the lock' }]);
    expect(a.e.since()).toEqual(a.changes[0]!.at);
    expect(b.changes).toEqual([]);
    expect(b.e.isLeader()).toBe(false);
  });

  it('steps down the moment the session is lost, and a follower takes over at its next try', async () => {
    const server = new LockServer();
    const sessionA = server.session('a');
    const a = elector(sessionA);
    const b = elector(server.session('b'));
    await a.e.tick();
    await b.e.tick();
    sessionA.cut();
    expect(a.e.isLeader()).toBe(false);
    expect(a.changes.at(-1)).toMatchObject({
      leader: false,
      reason: 'lost the lock: connection reset',
    });
    expect(await b.e.tick()).toBe(true);
    // The old leader campaigns again, as a follower.
    expect(await a.e.tick()).toBe(false);
  });

  it('steps down when the lock is no longer held, or the check fails, and releases the session', async () => {
    const server = new LockServer();
    const sessionA = server.session('a');
    const a = elector(sessionA);
    await a.e.tick();
    server.holder = undefined;
    expect(await a.e.tick()).toBe(false);
    expect(a.changes.at(-1)).toMatchObject({ reason: 'the lock is no longer held' });

    expect(await a.e.tick()).toBe(true);
    sessionA.unreachable = true;
    const releases = sessionA.releases;
    expect(await a.e.tick()).toBe(false);
    expect(a.changes.at(-1)).toMatchObject({
      reason: 'cannot check the lock: connect ECONNREFUSED',
    });
    expect(sessionA.releases).toBe(releases + 1);
  });

  it('steps down when the check is late (a half-open connection), freeing the lock', async () => {
    const server = new LockServer();
    const sessionA = server.session('a');
    const a = elector(sessionA, { timeoutMs: 20 });
    const b = elector(server.session('b'));
    await a.e.tick();
    sessionA.hanging = true;
    expect(await a.e.tick()).toBe(false);
    expect(a.changes.at(-1)!.reason).toMatch(/checking the lock took longer than 20 ms/);
    expect(await b.e.tick()).toBe(true);
  });

  it('keeps campaigning while the lock cannot be reached, and leads once it can', async () => {
    const server = new LockServer();
    const session = server.session('a');
    const a = elector(session, { timeoutMs: 20 });
    session.unreachable = true;
    expect(await a.e.tick()).toBe(false);
    session.unreachable = false;
    session.hanging = true;
    expect(await a.e.tick()).toBe(false);
    expect(a.errors.map((e) => (e as Error).message)).toEqual([
      'connect ECONNREFUSED',
      'taking the lock took longer than 20 ms',
    ]);
    // Each failed attempt dropped its session (a late one may have taken the lock after all).
    expect(session.releases).toBe(2);
    session.hanging = false;
    expect(await a.e.tick()).toBe(true);
    expect(a.changes).toHaveLength(1);
  });

  it('stops calling itself leader when no check has confirmed the lock within the lease', async () => {
    const server = new LockServer();
    const a = elector(server.session('a'), { leaseMs: 30 });
    expect(await a.e.tick()).toBe(true);
    // No tick ran (a frozen process, a blocked event loop): the lease lapses, silently.
    await new Promise((r) => setTimeout(r, 40));
    expect(a.e.isLeader()).toBe(false);
    expect(a.changes).toHaveLength(1);
    // A check that finds the lock still held renews it.
    expect(await a.e.tick()).toBe(true);
    expect(a.e.isLeader()).toBe(true);
  });

  it('hands over on stop: listeners hear the step down, the lock is free, it never leads again', async () => {
    const server = new LockServer();
    const a = elector(server.session('a'));
    const b = elector(server.session('b'));
    await a.e.tick();
    await a.e.stop();
    expect(a.changes.map((c) => [c.leader, c.reason])).toEqual([
      [true, 'took the lock'],
      [false, 'stopping'],
    ]);
    expect(server.holder).toBeUndefined();
    expect(await b.e.tick()).toBe(true);
    await b.e.stop();
    expect(await a.e.tick()).toBe(false);
  });

  it('starts with one attempt made, then campaigns every interval', async () => {
    const server = new LockServer();
    const a = await LeaderElector.start(server.session('a'), { intervalMs: 10 });
    const b = await LeaderElector.start(server.session('b'), { intervalMs: 10 });
    started.push(a, b);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const tookOver = new Promise<LeadershipChange>((resolve) => b.onChange(resolve));
    await a.stop();
    expect(await tookOver).toMatchObject({ leader: true });
  });
});

describe('RegistryModelHost with a leadership', () => {
  let stores: Stores | undefined;
  afterEach(async () => {
    await stores?.close();
  });

  it('runs the canary controller only while this replica leads', async () => {
    const dir = testDir('fw-leader-host');
    stores = await openStore({
      kind: 'sqlite',
      path: path.join(dir, 'metadata.db'),
      artifactDir: path.join(dir, 'artifacts'),
    });
    const registry = new FakeRegistry();
    registry.add(1, (await serveFixture({ seed: 1 })).bundle);
    registry.setChampion('churn', 1);
    const server = new LockServer();
    const rival = elector(server.session('rival'));
    const mine = elector(server.session('mine'));
    await rival.e.tick();
    await mine.e.tick();
    const host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(stores.metadata),
      models: ['churn'],
      pollIntervalMs: 0,
      controller: true,
      leadership: mine.e,
    });
    try {
      expect(host.controller).toBeUndefined();
      await rival.e.stop();
      await mine.e.tick();
      const first = host.controller;
      expect(first).toBeDefined();
      server.holder = undefined;
      await mine.e.tick();
      expect(host.controller).toBeUndefined();
      // Leading again starts a fresh controller (its checks count from zero).
      await mine.e.tick();
      expect(host.controller).toBeDefined();
      expect(host.controller).not.toBe(first);
    } finally {
      await host.close();
    }
    expect(host.controller).toBeUndefined();
  });
});
