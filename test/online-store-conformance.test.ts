/**
 * The OnlineStore conformance suite: one set of tests run against every
 * adapter on a real server, no mocks: the embedded store on SQLite and on
 * PostgreSQL, and Redis (at FLYWHEEL_TEST_REDIS_URL, default
 * redis://127.0.0.1:6379/0). An unreachable server skips its adapter with the
 * reason; every adapter runs every test. Adapter-specific
 * behaviour (Redis pruning, connection errors) is tested after the suite.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import {
  EmbeddedOnlineStore,
  type OnlineEvent,
  type OnlineEventTable,
  type OnlineStore,
  RedisOnlineStore,
  type StoredEvent,
} from '../src/features/index.js';
import { openStore } from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

interface OnlineStoreHarness {
  readonly name: string;
  readonly kind: string;
  /** Set when the adapter cannot be tested here; its suite is skipped with it. */
  readonly skipReason: string | undefined;
  /** An empty store. */
  open(): Promise<OnlineStore>;
  /** Removes everything the harness created. */
  cleanup(): Promise<void>;
}

const REDIS_URL = process.env['FLYWHEEL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2025-03-01T08:00:00Z');

/** The embedded adapter over a metadata store that `stores` hands out. */
function embeddedHarness(stores: StoreHarness): OnlineStoreHarness {
  const opened: { close(): Promise<void> }[] = [];
  return {
    name: `embedded on ${stores.engine}`,
    kind: 'embedded',
    skipReason: stores.skipReason,
    async open() {
      const s = await openStore(await stores.fresh());
      opened.push(s);
      return new EmbeddedOnlineStore(s.metadata);
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      await stores.cleanup();
    },
  };
}

/** Deletes every key under `prefix`. */
async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A plain client for checks and cleanup, or why Redis cannot be tested. */
async function connectRedis(): Promise<{ redis: Redis } | { reason: string }> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause = '';
  redis.on('error', (err: Error) => {
    cause = err.message;
  });
  try {
    await redis.connect();
    return { redis };
  } catch (err) {
    redis.disconnect();
    const why = cause || (err as Error).message;
    return {
      reason: `Redis unreachable at ${new URL(REDIS_URL).host} (${why}); set FLYWHEEL_TEST_REDIS_URL to test against another server`,
    };
  }
}

const redisAdmin = await connectRedis();

function redisHarness(): OnlineStoreHarness {
  const prefixes: string[] = [];
  const opened: OnlineStore[] = [];
  return {
    name: 'redis',
    kind: 'redis',
    skipReason: 'reason' in redisAdmin ? redisAdmin.reason : undefined,
    async open() {
      const prefix = `fwtest-${process.pid}-${randomBytes(4).toString('hex')}`;
      prefixes.push(prefix);
      const store = await RedisOnlineStore.open(REDIS_URL, { prefix });
      opened.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      if ('redis' in redisAdmin) {
        for (const prefix of prefixes) await dropPrefix(redisAdmin.redis, prefix);
        await redisAdmin.redis.quit();
      }
    },
  };
}

const harnesses: OnlineStoreHarness[] = [
  embeddedHarness(sqliteHarness()),
  embeddedHarness(await postgresHarness()),
  redisHarness(),
];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

describe('online store conformance coverage', () => {
  it('runs on every adapter the port names (embedded, redis)', () => {
    expect(new Set(harnesses.map((h) => h.kind))).toEqual(new Set(['embedded', 'redis']));
  });
});

let tableCount = 0;
/** A table of its own for each test, so tests sharing a store never meet. */
function newTable(overrides: Partial<OnlineEventTable> = {}): OnlineEventTable {
  tableCount += 1;
  return {
    name: `departures_${tableCount}`,
    key: 'origin',
    time: 'departed_at',
    id: 'event_id',
    columns: ['delay', 'distance'],
    allowedLatenessMs: HOUR,
    // Far beyond every test's spread of times: pruning is tested on its own.
    horizonMs: 365 * 24 * HOUR,
    ...overrides,
  };
}

function ev(id: string, key: string, time: number, delay: number | null = 1): OnlineEvent {
  return { id, key, time, values: { delay, distance: 100 } };
}

const stored = (e: OnlineEvent): StoredEvent => ({ id: e.id, time: e.time, values: e.values });
const all = (store: OnlineStore, table: OnlineEventTable, key: string) =>
  store.read(table.name, key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);

for (const harness of harnesses) {
  if (harness.skipReason)
    console.warn(`[online store] ${harness.name} SKIPPED: ${harness.skipReason}`);
  const title = harness.skipReason
    ? `online store: ${harness.name} — SKIPPED: ${harness.skipReason}`
    : `online store: ${harness.name}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => conformanceSuite(harness));
}

function conformanceSuite(harness: OnlineStoreHarness): void {
  let store: OnlineStore;
  beforeAll(async () => {
    store = await harness.open();
  });

  it('reads back what was written: ids, times, values, oldest first', async () => {
    const table = newTable();
    const events = [
      ev('e2', 'SFO', T0 + 2 * MINUTE, 7.5),
      ev('e1', 'SFO', T0 + MINUTE, -3),
      ev('e3', 'LAX', T0 + MINUTE, 0),
      ev('e4', 'SFO', T0 + 3 * MINUTE, 1e-9),
    ];
    expect(await store.write(table, events)).toEqual({ added: 4, duplicates: 0, conflicts: [] });
    expect(await store.read(table.name, 'SFO', T0, T0 + HOUR)).toEqual(
      [events[1]!, events[0]!, events[3]!].map(stored),
    );
    expect(await store.read(table.name, 'LAX', T0, T0 + HOUR)).toEqual([stored(events[2]!)]);
  });

  it('reads with inclusive bounds, by entity and table', async () => {
    const table = newTable();
    const other = newTable();
    const [a, b, c] = [0, 1, 2].map((m) => ev(`s${m}`, 'SFO', T0 + m * MINUTE)) as [
      OnlineEvent,
      OnlineEvent,
      OnlineEvent,
    ];
    await store.write(table, [a, b, c, ev('l1', 'LAX', T0 + MINUTE)]);
    await store.write(other, [ev('o1', 'SFO', T0 + MINUTE)]);
    expect(await store.read(table.name, 'SFO', T0, T0 + 2 * MINUTE)).toEqual([a, b, c].map(stored));
    expect(await store.read(table.name, 'SFO', T0 + 1, T0 + 2 * MINUTE - 1)).toEqual([stored(b)]);
    expect(await store.read(table.name, 'SFO', T0 + MINUTE, T0 + MINUTE)).toEqual([stored(b)]);
    expect(await store.read(table.name, 'SFO', T0 + 2 * MINUTE, T0)).toEqual([]);
    expect(await store.read(table.name, 'JFK', T0, T0 + HOUR)).toEqual([]);
    expect(await store.read('no_such_table', 'SFO', T0, T0 + HOUR)).toEqual([]);
  });

  it('an id written again with the same content is a duplicate, stored once', async () => {
    const table = newTable();
    const a = ev('a', 'SFO', T0, 5);
    const b = ev('b', 'SFO', T0 + MINUTE);
    await store.write(table, [a, b]);
    const sameA = { ...a, values: { distance: 100, delay: 5 } };
    const c = ev('c', 'SFO', T0 + 2 * MINUTE);
    expect(await store.write(table, [sameA, c])).toEqual({
      added: 1,
      duplicates: 1,
      conflicts: [],
    });
    expect(await all(store, table, 'SFO')).toEqual([a, b, c].map(stored));
  });

  it('an id written again with other content is a conflict; the stored event is kept', async () => {
    const table = newTable();
    const originals = [ev('v', 'SFO', T0, 5), ev('t', 'SFO', T0 + MINUTE), ev('k', 'SFO', T0 + 2)];
    await store.write(table, originals);
    const outcome = await store.write(table, [
      ev('v', 'SFO', T0, 6),
      ev('t', 'SFO', T0 + 30 * MINUTE),
      ev('k', 'LAX', T0 + 2),
    ]);
    expect(outcome.added).toBe(0);
    expect(outcome.duplicates).toBe(0);
    expect([...outcome.conflicts].sort()).toEqual(['k', 't', 'v']);
    expect(await all(store, table, 'SFO')).toEqual(
      [originals[0]!, originals[2]!, originals[1]!].map(stored),
    );
    expect(await all(store, table, 'LAX')).toEqual([]);
  });

  it('repeats inside one batch: the first counts, the others are duplicates or conflicts', async () => {
    const table = newTable();
    const c = ev('c', 'JFK', T0, 1);
    await store.write(table, [c]);
    const outcome = await store.write(table, [
      ev('a', 'SFO', T0, 1),
      ev('a', 'SFO', T0, 1),
      ev('a', 'SFO', T0, 2),
      ev('b', 'SFO', T0 + MINUTE, 3),
      ev('b', 'SFO', T0 + 2 * MINUTE, 3),
      ev('b', 'SFO', T0 + MINUTE, 3),
      // Against the stored c: conflict; the repeat matches the batch's first c: duplicate.
      ev('c', 'JFK', T0, 9),
      ev('c', 'JFK', T0, 9),
    ]);
    expect(outcome.added).toBe(2);
    expect(outcome.duplicates).toBe(3);
    expect([...outcome.conflicts].sort()).toEqual(['a', 'b', 'c']);
    expect(await all(store, table, 'SFO')).toEqual(
      [ev('a', 'SFO', T0, 1), ev('b', 'SFO', T0 + MINUTE, 3)].map(stored),
    );
    expect(await all(store, table, 'JFK')).toEqual([stored(c)]);
  });

  it('in-batch repeats compare values as sameEvent does: key order and null = absent', async () => {
    const table = newTable();
    const outcome = await store.write(table, [
      { id: 'a', key: 'SFO', time: T0, values: { delay: 1, distance: 2 } },
      { id: 'a', key: 'SFO', time: T0, values: { distance: 2, delay: 1 } },
      { id: 'b', key: 'SFO', time: T0, values: { delay: null, distance: 2 } },
      { id: 'b', key: 'SFO', time: T0, values: { distance: 2 } },
    ]);
    expect(outcome).toEqual({ added: 2, duplicates: 2, conflicts: [] });
  });

  it('reads back sorted by time (then id) whatever the write order', async () => {
    const table = newTable();
    const times = [5, 1, 4, 2, 3, 0].map((m) => T0 + m * MINUTE);
    await store.write(
      table,
      times.slice(0, 3).map((t, i) => ev(`x${i}`, 'SFO', t)),
    );
    await store.write(table, [
      ...times.slice(3).map((t, i) => ev(`y${i}`, 'SFO', t)),
      ev('e2', 'SFO', T0 + 10 * MINUTE),
      ev('e1', 'SFO', T0 + 10 * MINUTE),
    ]);
    const read = await all(store, table, 'SFO');
    expect(read.map((e) => e.time)).toEqual([
      ...times.sort((a, b) => a - b),
      T0 + 10 * MINUTE,
      T0 + 10 * MINUTE,
    ]);
    expect(read.slice(-2).map((e) => e.id)).toEqual(['e1', 'e2']);
  });

  it('newest(): the newest stored event time of each table', async () => {
    const table = newTable();
    const other = newTable();
    const before = await store.newest();
    expect(before.has(table.name)).toBe(false);
    await store.write(table, [ev('a', 'SFO', T0 + 5 * MINUTE), ev('b', 'LAX', T0)]);
    await store.write(table, [ev('c', 'SFO', T0 + MINUTE)]);
    await store.write(other, [ev('a', 'SFO', T0 - HOUR)]);
    // A refused event moves nothing.
    const refused = await store.write(table, [ev('b', 'LAX', T0 + HOUR)]);
    expect(refused.conflicts).toEqual(['b']);
    const newest = await store.newest();
    expect(newest.get(table.name)).toBe(T0 + 5 * MINUTE);
    expect(newest.get(other.name)).toBe(T0 - HOUR);
  });

  it('clear(table, range) removes [from, to) of that table only; its ids can be written again', async () => {
    const table = newTable();
    const longer = newTable({ name: `${table.name}x` });
    const events = [0, 1, 2, 3].map((m) =>
      ev(`e${m}`, m % 2 === 0 ? 'SFO' : 'LAX', T0 + m * MINUTE),
    );
    await store.write(table, events);
    await store.write(longer, events);
    await store.clear(table.name, { from: T0 + MINUTE, to: T0 + 3 * MINUTE });
    expect(await all(store, table, 'SFO')).toEqual([stored(events[0]!)]);
    expect(await all(store, table, 'LAX')).toEqual([stored(events[3]!)]);
    expect(await all(store, longer, 'SFO')).toHaveLength(2);
    expect((await store.newest()).get(table.name)).toBe(T0 + 3 * MINUTE);

    await store.clear(table.name, { from: T0 + 3 * MINUTE, to: T0 + 4 * MINUTE });
    expect((await store.newest()).get(table.name)).toBe(T0);
    expect(await store.write(table, events)).toEqual({ added: 3, duplicates: 1, conflicts: [] });
    expect(await all(store, table, 'LAX')).toEqual([events[1]!, events[3]!].map(stored));

    await store.clear(table.name, { from: T0 - HOUR, to: T0 + HOUR });
    expect((await store.newest()).has(table.name)).toBe(false);
  });

  it('clear(table) removes every event of that table only; its ids can be written again', async () => {
    const table = newTable();
    const longer = newTable({ name: `${table.name}x` });
    const events = [ev('a', 'SFO', T0), ev('b', 'LAX', T0 + MINUTE)];
    await store.write(table, events);
    await store.write(longer, events);
    await store.clear(table.name);
    expect(await all(store, table, 'SFO')).toEqual([]);
    expect(await all(store, table, 'LAX')).toEqual([]);
    const newest = await store.newest();
    expect(newest.has(table.name)).toBe(false);
    expect(newest.get(longer.name)).toBe(T0 + MINUTE);
    expect(await all(store, longer, 'LAX')).toEqual([stored(events[1]!)]);
    expect(await store.write(table, events)).toEqual({ added: 2, duplicates: 0, conflicts: [] });
  });

  it('two tables with the same entity keys and ids stay separate', async () => {
    const first = newTable();
    const second = newTable();
    expect(await store.write(first, [ev('e1', 'SFO', T0, 1)])).toMatchObject({ added: 1 });
    expect(await store.write(second, [ev('e1', 'SFO', T0 + 1, 2)])).toMatchObject({ added: 1 });
    expect(await all(store, first, 'SFO')).toEqual([stored(ev('e1', 'SFO', T0, 1))]);
    expect(await all(store, second, 'SFO')).toEqual([stored(ev('e1', 'SFO', T0 + 1, 2))]);
  });

  it('keys and ids are opaque text: numeric-looking, with : { } * and unicode', async () => {
    const table = newTable();
    const keys = ['7', '07', '7.0', 'a', 'a:b', '{x}', 'x}', '{', '*', 'a b', 'Zürich ✈️ 東京'];
    const events = keys.map((key, i) => ev(`${key}:{${i}}`, key, T0 + i, i));
    expect(await store.write(table, events)).toMatchObject({ added: keys.length });
    for (const [i, key] of keys.entries()) {
      expect(await all(store, table, key)).toEqual([stored(events[i]!)]);
    }
    expect(await store.write(table, events)).toMatchObject({ added: 0, duplicates: keys.length });
    await store.clear(table.name, { from: T0, to: T0 + 1 });
    expect(await all(store, table, '7')).toEqual([]);
    expect(await all(store, table, '07')).toHaveLength(1);
  });

  it('null values round-trip', async () => {
    const table = newTable();
    const events: OnlineEvent[] = [
      { id: 'n1', key: 'SFO', time: T0, values: { delay: null, distance: 3 } },
      { id: 'n2', key: 'SFO', time: T0 + 1, values: { delay: null, distance: null } },
      { id: 'n3', key: 'SFO', time: T0 + 2, values: {} },
    ];
    await store.write(table, events);
    expect(await all(store, table, 'SFO')).toEqual(events.map(stored));
  });

  it('a batch of 5,000 events is stored, read back and retried whole', async () => {
    const table = newTable();
    const events = Array.from({ length: 5_000 }, (_, i) =>
      ev(`big-${i}`, `entity-${i % 50}`, T0 + Math.floor(i / 50) * MINUTE, i),
    );
    expect(await store.write(table, events)).toEqual({
      added: 5_000,
      duplicates: 0,
      conflicts: [],
    });
    const read = await all(store, table, 'entity-7');
    expect(read).toHaveLength(100);
    expect(read).toEqual(events.filter((e) => e.key === 'entity-7').map(stored));
    expect(await store.write(table, events)).toEqual({
      added: 0,
      duplicates: 5_000,
      conflicts: [],
    });
  });
}

describe.skipIf('reason' in redisAdmin)('redis adapter specifics', () => {
  const redis = 'redis' in redisAdmin ? redisAdmin.redis : undefined;
  const prefix = `fwtest-${process.pid}-${randomBytes(4).toString('hex')}`;
  let store: RedisOnlineStore;
  beforeAll(async () => {
    store = await RedisOnlineStore.open(REDIS_URL, { prefix });
  });
  afterAll(async () => {
    await store?.close();
    if (redis !== undefined) await dropPrefix(redis, prefix);
  });

  it('prunes the events older than the newest minus the horizon from the entities it writes', async () => {
    const table = newTable({ horizonMs: HOUR });
    await store.write(table, [ev('old', 'SFO', T0), ev('mid', 'SFO', T0 + 30 * MINUTE)]);
    await store.write(table, [ev('new', 'SFO', T0 + 2 * HOUR)]);
    expect((await all(store, table, 'SFO')).map((e) => e.id)).toEqual(['new']);
    // Arriving later than the horizon: counted as added, kept by no lookup.
    expect(await store.write(table, [ev('late', 'SFO', T0 + 50 * MINUTE)])).toMatchObject({
      added: 1,
    });
    expect((await all(store, table, 'SFO')).map((e) => e.id)).toEqual(['new']);
    // Exactly at the horizon stays.
    await store.write(table, [ev('edge', 'SFO', T0 + HOUR)]);
    expect((await all(store, table, 'SFO')).map((e) => e.id)).toEqual(['edge', 'new']);
    const ttl = await redis!.pttl(`${prefix}:{${table.name}}:ev:SFO`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * HOUR);
  });

  it('names the server without its password when it is unreachable', async () => {
    const err = await RedisOnlineStore.open('redis://:s3cret@127.0.0.1:1/0').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('STORE_UNAVAILABLE');
    expect((err as FlywheelError).message).toMatch(
      /^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: /,
    );
    expect((err as FlywheelError).message).not.toContain('s3cret');
  });

  it('fails with STORE_UNAVAILABLE once closed', async () => {
    const closed = await RedisOnlineStore.open(REDIS_URL, { prefix });
    await closed.close();
    await closed.close();
    await expect(closed.read('departures', 'SFO', 0, 1)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('refuses a prefix that would break the key layout', async () => {
    await expect(RedisOnlineStore.open(REDIS_URL, { prefix: 'a{b}' })).rejects.toMatchObject({
      code: 'STORE_CONFIG',
    });
  });
});
