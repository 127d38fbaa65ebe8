// bench:features — the online feature store on the embedded store (SQLite,
// WAL, synchronous=FULL) and on Redis, each next to its raw driver as a peer
// on the same machine in the same run.
//
// (a) Ingestion: EVENTS departures (300 airports, ~100 events per airport in
//     any 2 h) through `OnlineFeatures.ingest` in batches of BATCH raw JSON
//     events (checked, stored idempotently by id); peers write the same rows
//     with no checks: better-sqlite3 `INSERT OR IGNORE` in a transaction per
//     batch, ioredis pipelined `ZADD`s per batch.
// (b) Lookups: LOOKUPS sequential `OnlineFeatures.lookup`s of 5 features (2 h
//     and 30 min windows) for a random airport at a random time in the last
//     30 min of the data, after a warm-up; peers read the same 2 h of events
//     with one prepared SELECT / one ZRANGE and parse them. Then both stores
//     answer the same 500 lookups, which must agree exactly.
//
//   npm run bench:features
//   FLYWHEEL_BENCH_EVENTS (default 200000), FLYWHEEL_BENCH_LOOKUPS (20000),
//   FLYWHEEL_BENCH_REDIS_URL (else FLYWHEEL_TEST_REDIS_URL, else redis://127.0.0.1:6379/0).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import {
  EmbeddedOnlineStore,
  OnlineFeatures,
  onlineDefinitions,
  RedisOnlineStore,
} from '../dist/features/index.js';
import { createRng } from '../dist/random.js';
import { openStore } from '../dist/store/index.js';

const EVENTS = Number(process.env.FLYWHEEL_BENCH_EVENTS ?? 200_000);
const LOOKUPS = Number(process.env.FLYWHEEL_BENCH_LOOKUPS ?? 20_000);
const WARMUP = 1_000;
const AGREE = 500;
const BATCH = 500;
const ENTITIES = 300;
const REDIS_URL =
  process.env.FLYWHEEL_BENCH_REDIS_URL ??
  process.env.FLYWHEEL_TEST_REDIS_URL ??
  'redis://127.0.0.1:6379/0';
const HOUR = 3_600_000;
const START = Date.parse('2025-03-01T00:00:00Z');
// ~100 events per airport in any 2 h window.
const STEP_MS = (2 * HOUR) / (100 * ENTITIES);

const definitions = onlineDefinitions(
  {
    d_mean_2h: {
      events: 'departures',
      key: 'origin',
      aggregate: 'mean',
      column: 'delay',
      window: '2h',
    },
    d_count_2h: { events: 'departures', key: 'origin', aggregate: 'count', window: '2h' },
    d_max_2h: {
      events: 'departures',
      key: 'origin',
      aggregate: 'max',
      column: 'delay',
      window: '2h',
    },
    d_mean_30m: {
      events: 'departures',
      key: 'origin',
      aggregate: 'mean',
      column: 'delay',
      window: '30m',
    },
    d_sum_30m: {
      events: 'departures',
      key: 'origin',
      aggregate: 'sum',
      column: 'delay',
      window: '30m',
    },
  },
  { departures: { source: 'departures', key: 'origin', time: 'departed_at', id: 'event_id' } },
);
const features = definitions.features;

/** A deterministic generator, so every run sees the same data. */
const random = createRng;

const airport = (i) => `A${String(i).padStart(3, '0')}`;

function makeEvents() {
  const next = random(1);
  return Array.from({ length: EVENTS }, (_, i) => ({
    event_id: `dep-${i}`,
    origin: airport(Math.floor(next() * ENTITIES)),
    departed_at: new Date(START + Math.round(i * STEP_MS)).toISOString(),
    delay: next() < 0.05 ? null : Math.round((next() * 60 - 10) * 10) / 10,
  }));
}

const END = START + Math.round((EVENTS - 1) * STEP_MS);
/** Requests: a random airport at a random time in the last 30 min of the data. */
function makeRequests(n, seed) {
  const next = random(seed);
  return Array.from({ length: n }, () => ({
    row: { origin: airport(Math.floor(next() * ENTITIES)) },
    t: END - Math.round(next() * 0.5 * HOUR),
  }));
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

async function timeBatches(rows, writeBatch) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += BATCH) await writeBatch(rows.slice(i, i + BATCH));
  return rows.length / seconds(t0);
}

/** Latencies in ms of `fn` over each request, one at a time. */
async function timeEach(requests, fn) {
  const ms = new Float64Array(requests.length);
  for (const [i, r] of requests.entries()) {
    const t0 = process.hrtime.bigint();
    await fn(r);
    ms[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  ms.sort();
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  return { p50: at(0.5), p99: at(0.99), max: ms[ms.length - 1] };
}

async function lookupLatency(online, peerRead) {
  await timeEach(makeRequests(WARMUP, 3), (r) => online.lookup(features, r.row, r.t));
  const requests = makeRequests(LOOKUPS, 4);
  return {
    flywheel: await timeEach(requests, (r) => online.lookup(features, r.row, r.t)),
    peer: await timeEach(requests, (r) => peerRead(r.row.origin, r.t - 2 * HOUR, r.t)),
  };
}

const rawRows = makeEvents();
const results = { ingest: [], lookup: [] };
const onlineByStore = {};
const dir = mkdtempSync(join(tmpdir(), 'flywheel-bench-features-'));
const cleanups = [];
try {
  // Embedded on SQLite.
  const location = (name) => ({
    kind: 'sqlite',
    path: join(dir, name, 'metadata.db'),
    artifactDir: join(dir, name, 'artifacts'),
  });
  const stores = await openStore(location('flywheel'));
  cleanups.push(() => stores.close());
  const embedded = new OnlineFeatures(new EmbeddedOnlineStore(stores.metadata), definitions);
  const sqliteRate = await timeBatches(rawRows, (batch) => embedded.ingest('departures', batch));

  const peerLocation = location('peer');
  await (await openStore(peerLocation)).close();
  const peerDb = new Database(peerLocation.path);
  peerDb.pragma('journal_mode = WAL');
  peerDb.pragma('synchronous = FULL');
  const insert = peerDb.prepare(
    'insert or ignore into feature_events (event_table, event_id, entity_key, event_ms, event_values, ingested_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertMany = peerDb.transaction((batch) => {
    const now = new Date().toISOString();
    for (const r of batch) {
      const values = JSON.stringify({ delay: r.delay });
      insert.run('departures', r.event_id, r.origin, Date.parse(r.departed_at), values, now);
    }
  });
  const sqlitePeerRate = await timeBatches(rawRows, async (batch) => insertMany(batch));
  const select = peerDb.prepare(
    'select event_id, event_ms, event_values from feature_events where event_table = ? and entity_key = ? and event_ms >= ? and event_ms <= ? order by event_ms, event_id',
  );
  const sqliteLookups = await lookupLatency(embedded, async (key, from, to) =>
    select.all('departures', key, from, to).map((r) => JSON.parse(r.event_values)),
  );
  peerDb.close();
  results.ingest.push(['SQLite (WAL, synchronous=FULL)', sqliteRate, sqlitePeerRate]);
  results.lookup.push(['SQLite (WAL, synchronous=FULL)', sqliteLookups]);
  onlineByStore.sqlite = embedded;

  // Redis.
  const prefix = `fwbench-${randomBytes(4).toString('hex')}`;
  let redisStore;
  try {
    redisStore = await RedisOnlineStore.open(REDIS_URL, { prefix });
  } catch (err) {
    console.log(`Redis skipped: ${err.message}`);
  }
  if (redisStore !== undefined) {
    const raw = new Redis(REDIS_URL);
    cleanups.push(async () => {
      await redisStore.close();
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await raw.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await raw.quit();
    });
    const online = new OnlineFeatures(redisStore, definitions);
    const redisRate = await timeBatches(rawRows, (batch) => online.ingest('departures', batch));
    const peerKey = (key) => `${prefix}-peer:${key}`;
    const redisPeerRate = await timeBatches(rawRows, async (batch) => {
      const pipeline = raw.pipeline();
      for (const r of batch) {
        const member = `${r.event_id}\u001f${JSON.stringify({ delay: r.delay })}`;
        pipeline.zadd(peerKey(r.origin), Date.parse(r.departed_at), member);
      }
      await pipeline.exec();
    });
    const redisLookups = await lookupLatency(online, async (key, from, to) => {
      const flat = await raw.zrange(peerKey(key), from, to, 'BYSCORE', 'WITHSCORES');
      const events = [];
      for (let i = 0; i < flat.length; i += 2) {
        const member = flat[i];
        events.push(JSON.parse(member.slice(member.lastIndexOf('\u001f') + 1)));
      }
      return events;
    });
    results.ingest.push(['Redis', redisRate, redisPeerRate]);
    results.lookup.push(['Redis', redisLookups]);
    onlineByStore.redis = online;
  }

  if (onlineByStore.redis !== undefined) {
    let agree = 0;
    for (const r of makeRequests(AGREE, 5)) {
      const a = await onlineByStore.sqlite.lookup(features, r.row, r.t);
      const b = await onlineByStore.redis.lookup(features, r.row, r.t);
      if (JSON.stringify(a) === JSON.stringify(b)) agree += 1;
    }
    results.agree = agree;
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
}

const n = (x) => Math.round(x).toLocaleString('en');
const ms = (x) => x.toFixed(3);
console.log(
  `\nonline features: ingestion of ${n(EVENTS)} events (${ENTITIES} entities) ` +
    `in batches of ${BATCH} through \`OnlineFeatures.ingest\`\n`,
);
console.log('| store | Flywheel events/s | raw driver events/s (peer) | vs peer |');
console.log('| --- | ---: | ---: | ---: |');
for (const [store, rate, peer] of results.ingest) {
  console.log(`| ${store} | ${n(rate)} | ${n(peer)} | ${(rate / peer).toFixed(2)}× |`);
}
console.log(
  `\nlookups: ${n(LOOKUPS)} sequential \`OnlineFeatures.lookup\`s of ${features.length} features ` +
    `(2h and 30m windows, ~100 events per entity in 2h), ms; peer = one raw read of the same 2h\n`,
);
console.log('| store | p50 | p99 | max | peer p50 | peer p99 | p50 vs peer |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [store, { flywheel, peer }] of results.lookup) {
  console.log(
    `| ${store} | ${ms(flywheel.p50)} | ${ms(flywheel.p99)} | ${ms(flywheel.max)} | ` +
      `${ms(peer.p50)} | ${ms(peer.p99)} | ${(flywheel.p50 / peer.p50).toFixed(2)}× |`,
  );
}
if (results.agree !== undefined) {
  console.log(`\nSQLite and Redis lookups agree exactly on ${results.agree}/${AGREE} requests.`);
}
