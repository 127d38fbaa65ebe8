/**
 * One definition, offline and online: a day of real flights replayed in time
 * order. Each departure reaches the online store as an event once it has
 * left; each flight asks for its features at its scheduled departure time.
 * Every online value must equal the offline point-in-time join (DuckDB) for
 * the same airport and time, on the embedded store and on Redis. Then the
 * same events arrive shuffled and twice over, and the answers do not move.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../src/data/duck.js';
import {
  addPointInTimeFeatures,
  EmbeddedOnlineStore,
  type OnlineDefinitions,
  OnlineFeatures,
  type OnlineStore,
  onlineDefinitions,
  type PointInTimeDefinition,
  RedisOnlineStore,
} from '../src/features/index.js';
import { createRng } from '../src/random.js';
import { loadSpec } from '../src/spec/index.js';
import { sqlString } from '../src/sql.js';
import { openStore, type Stores } from '../src/store/index.js';
import { sqliteHarness } from './fixtures/store/harness.js';

const FLIGHTS = fileURLToPath(
  new URL('../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url),
);
const SPEC = fileURLToPath(new URL('../examples/flights/flywheel.yaml', import.meta.url));
const DAY = Date.parse('2001-03-12T00:00:00Z');
const HOUR = 3_600_000;
const REDIS_URL = process.env['FLYWHEEL_TEST_REDIS'] ?? 'redis://127.0.0.1:6379/0';

// The example's own two features and one of every other aggregate and window.
const spec = loadSpec(SPEC).spec;
const departures = (
  aggregate: PointInTimeDefinition['aggregate'],
  window: string,
): PointInTimeDefinition => ({
  events: 'departures',
  key: 'origin',
  aggregate,
  ...(aggregate === 'count' ? {} : { column: 'delay' }),
  window,
});
const DEFINITIONS: Record<string, PointInTimeDefinition> = {
  ...spec.features!.point_in_time!,
  origin_max_delay_30m: departures('max', '30m'),
  origin_min_delay_4h: departures('min', '4h'),
  origin_last_delay_1h: departures('last', '1h'),
  origin_delay_sum_90m: departures('sum', '90m'),
};
const NAMES = Object.keys(DEFINITIONS);
const online: OnlineDefinitions = onlineDefinitions(DEFINITIONS, spec.events);

interface Request {
  readonly origin: string;
  readonly t: number;
  readonly expected: Record<string, number | null>;
}

let session: DuckSession;
let requests: Request[];
/** Departures as the operations feed would post them, oldest first. */
let events: { origin: string; delay: number | null; departed_at: string; departure_id: string }[];

beforeAll(async () => {
  session = await DuckSession.open();
  // The day before as well, so the first flights of the day have history.
  await session.run(
    `CREATE TABLE flights AS SELECT * FROM read_parquet(${sqlString(FLIGHTS)})
     WHERE date >= TIMESTAMP '2001-03-11 00:00' AND date < TIMESTAMP '2001-03-13 00:00'`,
  );
  await session.run(
    `CREATE VIEW day AS SELECT * FROM flights WHERE date >= TIMESTAMP '2001-03-12 00:00' ORDER BY date, origin, destination, delay`,
  );
  await addPointInTimeFeatures(session, {
    input: 'day',
    output: 'day_features',
    predictionTime: 'date',
    definitions: DEFINITIONS,
    events: spec.events,
  });
  const rows = await session.rows(
    `SELECT origin, epoch_ms(date) AS t, ${NAMES.join(', ')} FROM day_features`,
  );
  requests = rows.map((r) => ({
    origin: String(r['origin']),
    t: Number(r['t']),
    expected: Object.fromEntries(NAMES.map((n) => [n, r[n] as number | null])),
  }));
  const raw = await session.rows(
    `SELECT origin, delay, strftime(departed_at, '%Y-%m-%dT%H:%M:%SZ') AS departed_at, departure_id
     FROM fw_events_departures WHERE departed_at < TIMESTAMP '2001-03-13 00:00'
     ORDER BY departed_at, departure_id`,
  );
  events = raw.map((e) => ({
    origin: String(e['origin']),
    delay: e['delay'] === null ? null : Number(e['delay']),
    departed_at: String(e['departed_at']),
    departure_id: String(e['departure_id']),
  }));
}, 60_000);
afterAll(() => session?.close());

/** Ingests in time order, answering each request once every event before it has arrived. */
async function replay(
  features: OnlineFeatures,
): Promise<Map<number, Record<string, number | null>>> {
  const answers = new Map<number, Record<string, number | null>>();
  let next = 0;
  const sorted = requests.map((r, i) => ({ r, i })).sort((a, b) => a.r.t - b.r.t);
  for (let k = 0; k < sorted.length; ) {
    const t = sorted[k]!.r.t;
    const batch = [];
    while (next < events.length && Date.parse(events[next]!.departed_at) < t) {
      batch.push(events[next++]!);
    }
    for (let i = 0; i < batch.length; i += 1000) {
      await features.ingest('departures', batch.slice(i, i + 1000));
    }
    for (; k < sorted.length && sorted[k]!.r.t === t; k++) {
      const { r, i } = sorted[k]!;
      const { values } = await features.lookup(online.features, { origin: r.origin }, r.t);
      answers.set(i, values);
    }
  }
  // The departures after the last flight of the day arrive too.
  if (next < events.length) await features.ingest('departures', events.slice(next));
  return answers;
}

function expectSame(answers: Map<number, Record<string, number | null>>, only?: Set<number>) {
  let compared = 0;
  let nonZero = 0;
  const mismatches: string[] = [];
  requests.forEach((r, i) => {
    if (only !== undefined && !only.has(i)) return;
    const got = answers.get(i)!;
    for (const name of NAMES) {
      const want = r.expected[name] ?? null;
      const have = got[name] ?? null;
      const same =
        want === null || have === null
          ? want === have
          : name === 'origin_delay_2h'
            ? Math.abs(want - have) <= 1e-9 * Math.max(1, Math.abs(want))
            : want === have;
      if (!same && mismatches.length < 5) {
        mismatches.push(
          `${r.origin} @ ${new Date(r.t).toISOString()} ${name}: offline ${want}, online ${have}`,
        );
      }
      compared += 1;
    }
    if ((got['origin_departures_2h'] ?? 0) > 0) nonZero += 1;
  });
  expect(mismatches).toEqual([]);
  return { compared, nonZero };
}

interface StoreCase {
  readonly name: string;
  readonly skip: string | undefined;
  open(): Promise<{ store: OnlineStore; close(): Promise<void> }>;
}

const sqlite = sqliteHarness();
afterAll(() => sqlite.cleanup());
let redisSkip: string | undefined;
try {
  const probe = await RedisOnlineStore.open(REDIS_URL, { prefix: `fwtest-probe-${process.pid}` });
  await probe.close();
} catch (err) {
  redisSkip = `Redis is not reachable at ${REDIS_URL}: ${(err as Error).message}`;
  console.warn(`skipping the Redis replay: ${redisSkip}`);
}

const CASES: StoreCase[] = [
  {
    name: 'embedded (SQLite)',
    skip: undefined,
    async open() {
      const stores: Stores = await openStore(await sqlite.fresh());
      return { store: new EmbeddedOnlineStore(stores.metadata), close: () => stores.close() };
    },
  },
  {
    name: 'Redis',
    skip: redisSkip,
    async open() {
      const prefix = `fwtest-${process.pid}-${Date.now()}`;
      const store = await RedisOnlineStore.open(REDIS_URL, { prefix });
      return {
        store,
        async close() {
          for (const t of online.tables) await store.clear(t.name);
          await store.close();
        },
      };
    },
  },
];

describe.each(CASES)('online features on $name', (c) => {
  it.skipIf(c.skip !== undefined)(
    'serves every flight of a replayed day the values of the offline point-in-time join',
    async () => {
      const { store, close } = await c.open();
      try {
        const features = new OnlineFeatures(store, online);
        const answers = await replay(features);
        const { compared, nonZero } = expectSame(answers);
        expect(requests.length).toBeGreaterThan(10_000);
        expect(compared).toBe(requests.length * NAMES.length);
        expect(nonZero).toBeGreaterThan(requests.length * 0.8); // most flights have history
        const counted = features.counters().get('departures')!;
        expect(counted.added).toBe(events.length);
        expect(counted.duplicates).toBe(0);
      } finally {
        await close();
      }
    },
    120_000,
  );

  it.skipIf(c.skip !== undefined)(
    'gives the same answers when the events of an evening arrive shuffled and twice over',
    async () => {
      const { store, close } = await c.open();
      try {
        const features = new OnlineFeatures(store, online);
        // Requests in the evening, and the events they can see (4h window).
        const from = DAY + 18 * HOUR;
        const chosen = new Set(
          requests.flatMap((r, i) => (r.t >= from && r.t < from + HOUR ? [i] : [])),
        );
        const needed = events.filter((e) => {
          const t = Date.parse(e.departed_at);
          return t >= from - 4 * HOUR && t < from + HOUR;
        });
        const rng = createRng(11);
        const shuffled = [...needed];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        let late = 0;
        for (let i = 0; i < shuffled.length; i += 500) {
          late += (await features.ingest('departures', shuffled.slice(i, i + 500))).late;
        }
        const again = await features.ingest('departures', needed);
        expect(again).toMatchObject({ added: 0, duplicates: needed.length, conflicts: 0 });
        expect(late).toBeGreaterThan(0); // shuffled: many arrive hours behind the newest
        const answers = new Map<number, Record<string, number | null>>();
        for (const i of chosen) {
          const r = requests[i]!;
          answers.set(
            i,
            (await features.lookup(online.features, { origin: r.origin }, r.t)).values,
          );
        }
        expect(chosen.size).toBeGreaterThan(500);
        expectSame(answers, chosen);
      } finally {
        await close();
      }
    },
    60_000,
  );
});
