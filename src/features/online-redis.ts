/**
 * The Redis online store, for many serving replicas: per (table, entity) a
 * sorted set of events scored by time, written by a Lua script that keeps
 * them idempotent by id and prunes what no lookup can use any more.
 */
import { Redis } from 'ioredis';
import { FlywheelError } from '../errors.js';
import { redactUrl } from '../store/index.js';
import { contentId, type EventValues, type OnlineEvent, sameEvent } from './event-input.js';
import type { OnlineEventTable } from './online-definitions.js';
import type { OnlineStore, StoredEvent, WriteOutcome } from './online-store.js';

export interface RedisOnlineStoreOptions {
  /** Namespaces every key (default `fw`): letters, digits and `._-`. */
  readonly prefix?: string;
}

/** Separates the id from the values in a sorted-set member (JSON escapes it, ids may not). */
const UNIT_SEPARATOR = '\u001f';
/** Events per script call: a call blocks Redis, so a big batch is cut into several. */
const SCRIPT_CHUNK = 500;
/** Floor for key lifetimes, should a table's horizon be tiny. */
const MIN_TTL_MS = 60_000;
const SCAN_COUNT = 1_000;
const CONNECT_TIMEOUT_MS = 3_000;

/*
 * KEYS: the newest-times hash, then (id key, entity set) per event.
 * ARGV: table, horizon ms, key TTL ms, then (digest, time, member) per event.
 * Returns, per event, 0 added, 1 duplicate, 2 conflict.
 */
const WRITE_EVENTS_LUA = `
local tbl, horizon, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local newest = tonumber(redis.call('HGET', KEYS[1], tbl))
local outcome, sets = {}, {}
for i = 1, (#KEYS - 1) / 2 do
  local idKey, setKey = KEYS[2 * i], KEYS[2 * i + 1]
  local digest, time, member = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  local stored = redis.call('GET', idKey)
  if stored == digest then
    outcome[i] = 1
    redis.call('PEXPIRE', idKey, ttl)
  elseif stored then
    outcome[i] = 2
  else
    -- the id key may have expired while its event is still kept
    local score = redis.call('ZSCORE', setKey, member)
    if score and tonumber(score) == tonumber(time) then
      outcome[i] = 1
    elseif score then
      outcome[i] = 2
    else
      redis.call('ZADD', setKey, time, member)
      outcome[i] = 0
      if newest == nil or tonumber(time) > newest then newest = tonumber(time) end
    end
    if outcome[i] ~= 2 then redis.call('SET', idKey, digest, 'PX', ttl) end
  end
  sets[setKey] = true
end
if newest ~= nil then
  redis.call('HSET', KEYS[1], tbl, string.format('%.17g', newest))
  local cutoff = '(' .. string.format('%.17g', newest - horizon)
  for setKey in pairs(sets) do
    redis.call('ZREMRANGEBYSCORE', setKey, '-inf', cutoff)
    redis.call('PEXPIRE', setKey, ttl)
  end
end
return outcome
`;

/*
 * KEYS: one entity set. ARGV: from, to (exclusive), the table's id-key prefix.
 * Removes the events in [from, to) and their id keys; returns the newest
 * remaining time, or nil.
 */
const CLEAR_RANGE_LUA = `
local members = redis.call('ZRANGE', KEYS[1], ARGV[1], '(' .. ARGV[2], 'BYSCORE')
for _, member in ipairs(members) do
  redis.call('DEL', ARGV[3] .. string.match(member, '^(.*)\\031'))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return top[2]
`;

/** A pipeline with the scripts defined at open (ioredis adds them untyped). */
interface ScriptPipeline {
  flywheelWriteEvents(numKeys: number, ...args: (string | number)[]): void;
  flywheelClearRange(key: string, from: string, to: string, idPrefix: string): void;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** A sorted-set score bound as Redis reads it. */
const score = (ms: number): string =>
  ms === Number.POSITIVE_INFINITY ? '+inf' : ms === Number.NEGATIVE_INFINITY ? '-inf' : String(ms);

/** Escapes what SCAN's MATCH pattern would read as a wildcard. */
const globLiteral = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** Values with sorted keys, so an event always has the same member text. */
function canonicalValues(values: EventValues): string {
  const sorted: Record<string, number | null> = {};
  for (const k of Object.keys(values).sort()) sorted[k] = values[k] ?? null;
  return JSON.stringify(sorted);
}

/** What `sameEvent` compares, hashed: key, time and the values, a null equal to an absent one. */
function digest(e: OnlineEvent): string {
  const present: Record<string, number> = {};
  for (const [k, v] of Object.entries(e.values)) if (v !== null && v !== undefined) present[k] = v;
  return contentId(e.key, e.time, present);
}

function parseMember(member: string, time: number): StoredEvent {
  const cut = member.lastIndexOf(UNIT_SEPARATOR);
  return {
    id: member.slice(0, cut),
    time,
    values: JSON.parse(member.slice(cut + 1)) as EventValues,
  };
}

/**
 * Events in Redis. Every key of an event table carries the hash tag
 * `{<table>}` (the name URI-encoded, so no `:`, `{` or `}` in it can cut a
 * key short), so the keys one script call touches share a cluster slot, but
 * for the newest-times hash. The layout under the prefix `p`:
 *
 * - `p:{table}:ev:<entity>`: a sorted set, score = event time (ms), member =
 *   `<id>\u001f<values as JSON>`;
 * - `p:{table}:id:<id>`: a digest of the event's key, time and values, for
 *   idempotency by id (per table, as in the embedded store);
 * - `p:newest`: a hash, table → newest event time (ms).
 *
 * A write classifies each event in one Lua script call (atomic per call),
 * and the calls of a batch go in one pipeline: one round trip per batch.
 * After a write the entities it touched lose the events older than the
 * table's newest event minus its horizon (`table.horizonMs`), and their sets
 * and the id keys live for twice the horizon after their last write, so idle
 * entities vanish. Hence a read for a request time further than the horizon
 * behind the newest event may miss events: such points in time are the
 * offline join's to answer. An id is remembered for twice the horizon after
 * its write; an exact duplicate is recognised later too while its event is
 * kept, a conflicting one is not.
 *
 * `clear` scans the table's keys and is not atomic against concurrent writes.
 *
 * @example
 * const store = await RedisOnlineStore.open('redis://127.0.0.1:6379/0', { prefix: 'flights' });
 * await store.write(table, [{ id: 'e1', key: 'SFO', time: Date.now(), values: { delay: 4 } }]);
 * await store.read('departures', 'SFO', Date.now() - 7_200_000, Date.now());
 * await store.close();
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  readonly description: string;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #where: string;
  #closed: Promise<void> | undefined;

  private constructor(redis: Redis, where: string, prefix: string) {
    this.#redis = redis;
    this.#where = where;
    this.#prefix = prefix;
    this.description = `redis (${where}, prefix ${prefix})`;
  }

  /** Connects to the Redis server at `url` (`redis://` or `rediss://`), failing fast when unreachable. */
  static async open(url: string, options: RedisOnlineStoreOptions = {}): Promise<RedisOnlineStore> {
    const where = redactUrl(url);
    const prefix = options.prefix ?? 'fw';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(prefix)) {
      throw new FlywheelError(
        'STORE_CONFIG',
        `Redis key prefix "${prefix.slice(0, 64)}" is not valid: use 1 to 64 letters, digits, '.', '_' or '-'`,
      );
    }
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = '';
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new FlywheelError(
        'STORE_CONFIG',
        `the online store URL ${where} is not a Redis URL: use redis://host:port/db or rediss://…`,
      );
    }
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Once open, reconnect in the background; meanwhile requests fail at once.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      scripts: {
        flywheelWriteEvents: { lua: WRITE_EVENTS_LUA },
        flywheelClearRange: { lua: CLEAR_RANGE_LUA, numberOfKeys: 1 },
      },
    });
    let lastError: unknown;
    redis.on('error', (err: unknown) => {
      lastError = err;
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw unreachable(where, lastError ?? err);
    }
    return new RedisOnlineStore(redis, where, prefix);
  }

  async write(table: OnlineEventTable, events: readonly OnlineEvent[]): Promise<WriteOutcome> {
    // Within the batch the first event with an id counts, repeats are compared with it.
    const first = new Map<string, OnlineEvent>();
    let duplicates = 0;
    const conflicts: string[] = [];
    for (const e of events) {
      const seen = first.get(e.id);
      if (seen === undefined) first.set(e.id, e);
      else if (sameEvent(seen, e)) duplicates += 1;
      else conflicts.push(e.id);
    }
    const unique = [...first.values()];
    if (unique.length === 0) return { added: 0, duplicates, conflicts };
    const ttl = String(Math.max(MIN_TTL_MS, 2 * table.horizonMs));
    const pipeline = this.#redis.pipeline() as unknown as ScriptPipeline;
    for (let i = 0; i < unique.length; i += SCRIPT_CHUNK) {
      const chunk = unique.slice(i, i + SCRIPT_CHUNK);
      const keys = [`${this.#prefix}:newest`];
      const args: string[] = [table.name, String(table.horizonMs), ttl];
      for (const e of chunk) {
        keys.push(this.#idKey(table.name, e.id), this.#entityKey(table.name, e.key));
        args.push(
          digest(e),
          String(e.time),
          `${e.id}${UNIT_SEPARATOR}${canonicalValues(e.values)}`,
        );
      }
      pipeline.flywheelWriteEvents(keys.length, ...keys, ...args);
    }
    const replies = await this.#exec('store feature events', pipeline);
    let added = 0;
    replies.forEach((reply, chunk) => {
      (reply as number[]).forEach((outcome, j) => {
        if (outcome === 0) added += 1;
        else if (outcome === 1) duplicates += 1;
        else conflicts.push(unique[chunk * SCRIPT_CHUNK + j]!.id);
      });
    });
    return { added, duplicates, conflicts };
  }

  /** Ties in time come in byte order of their ids (the members' order), as in SQLite. */
  async read(table: string, key: string, from: number, to: number): Promise<StoredEvent[]> {
    const flat = await this.#run('read feature events', () =>
      this.#redis.zrange(
        this.#entityKey(table, key),
        score(from),
        score(to),
        'BYSCORE',
        'WITHSCORES',
      ),
    );
    const events: StoredEvent[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      events.push(parseMember(flat[i]!, Number(flat[i + 1])));
    }
    return events;
  }

  async newest(): Promise<ReadonlyMap<string, number>> {
    const all = await this.#run('read feature freshness', () =>
      this.#redis.hgetall(`${this.#prefix}:newest`),
    );
    return new Map(Object.entries(all).map(([table, ms]) => [table, Number(ms)]));
  }

  async clear(table: string, range?: { readonly from: number; readonly to: number }) {
    const tag = `${this.#prefix}:{${encodeURIComponent(table)}}:`;
    const newestKey = `${this.#prefix}:newest`;
    if (range === undefined) {
      await this.#scan(`${globLiteral(tag)}*`, async (keys) => {
        await this.#run('delete feature events', () => this.#redis.unlink(...keys));
      });
      await this.#run('delete feature events', () => this.#redis.hdel(newestKey, table));
      return;
    }
    let newest = Number.NEGATIVE_INFINITY;
    await this.#scan(`${globLiteral(tag)}ev:*`, async (keys) => {
      const pipeline = this.#redis.pipeline() as unknown as ScriptPipeline;
      for (const key of keys) {
        pipeline.flywheelClearRange(key, score(range.from), score(range.to), `${tag}id:`);
      }
      for (const top of await this.#exec('delete feature events', pipeline)) {
        if (top !== null) newest = Math.max(newest, Number(top));
      }
    });
    await this.#run('delete feature events', () =>
      Number.isFinite(newest)
        ? this.#redis.hset(newestKey, table, String(newest))
        : this.#redis.hdel(newestKey, table),
    );
  }

  close(): Promise<void> {
    this.#closed ??= this.#redis.quit().then(
      () => undefined,
      () => this.#redis.disconnect(),
    );
    return this.#closed;
  }

  #entityKey(table: string, key: string): string {
    return `${this.#prefix}:{${encodeURIComponent(table)}}:ev:${key}`;
  }

  #idKey(table: string, id: string): string {
    return `${this.#prefix}:{${encodeURIComponent(table)}}:id:${id}`;
  }

  /** Calls `each` with every page of keys matching `pattern`. */
  async #scan(pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#run('scan feature events', () =>
        this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
      );
      if (keys.length > 0) await each(keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async #exec(action: string, pipeline: ScriptPipeline): Promise<unknown[]> {
    const results = await this.#run(action, () => pipeline.exec());
    if (results === null) throw unreachable(this.#where, new Error('pipeline aborted'), action);
    return results.map(([err, reply]) => {
      if (err !== null) throw translate(this.#where, action, err);
      return reply;
    });
  }

  async #run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translate(this.#where, action, err);
    }
  }
}

const reason = (err: unknown): string =>
  err instanceof Error ? (err.message.split('\n')[0] ?? '').slice(0, 200) : String(err);

function unreachable(where: string, err: unknown, action?: string): FlywheelError {
  const doing = action === undefined ? '' : `${action}: `;
  return new FlywheelError(
    'STORE_UNAVAILABLE',
    `${doing}cannot reach Redis at ${where}: ${reason(err)}`,
    { cause: err },
  );
}

/** A reply error is Redis refusing a command (a bug here); anything else is the connection. */
function translate(where: string, action: string, err: unknown): FlywheelError {
  if (err instanceof FlywheelError) return err;
  if (err instanceof Error && err.name === 'ReplyError') {
    return new FlywheelError('INTERNAL', `${action}: Redis at ${where} refused: ${reason(err)}`, {
      cause: err,
    });
  }
  return unreachable(where, err, action);
}
