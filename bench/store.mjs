// Store benchmark: batched prediction-log inserts into SQLite (the embedded
// default) and PostgreSQL, each next to the raw driver as a peer on the same
// machine in the same run. Each figure is the median of REPEATS runs on fresh
// databases, after a warm-up. Run: npm run bench:store
// Env: FLYWHEEL_BENCH_ROWS (default 100000), FLYWHEEL_BENCH_PG_URL (else
// FLYWHEEL_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../dist/store/index.js';

const ROWS = Number(process.env.FLYWHEEL_BENCH_ROWS ?? 100_000);
const BATCH = 5_000;
const REPEATS = 3;
const PG_ADMIN_URL =
  process.env.FLYWHEEL_BENCH_PG_URL ??
  process.env.FLYWHEEL_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const COLUMNS = 'id, at, model_version, inputs, outputs, score, latency_ms';

function makeRows(n, prefix) {
  const start = Date.parse('2025-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    at: new Date(start + i * 10).toISOString(),
    modelVersion: 'churn@3',
    inputs: {
      tenure: i % 72,
      monthly: 20 + (i % 100) * 0.95,
      total: (i % 72) * 64.2,
      contract: ['month', 'year', 'two-year'][i % 3],
      paperless: i % 2 === 0,
      payment: ['card', 'bank', 'check'][i % 3],
      senior: i % 5 === 0,
      partner: i % 4 === 0,
      tickets: i % 7,
      region: `r${i % 12}`,
    },
    score: (i % 1000) / 1000,
    latencyMs: 1 + (i % 50) / 10,
  }));
}

const rowValues = (r) => [
  r.id,
  r.at,
  r.modelVersion,
  JSON.stringify(r.inputs),
  null,
  r.score,
  r.latencyMs,
];

async function timeBatches(rows, insertBatch) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += BATCH) await insertBatch(rows.slice(i, i + BATCH));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Creates the schema in a fresh location by opening and closing it. */
async function prepare(location) {
  await (await openStore(location)).close();
  return location;
}

const writers = {
  async flywheel(location, rows) {
    const stores = await openStore(location);
    try {
      return await timeBatches(rows, (batch) => stores.metadata.logPredictions(batch));
    } finally {
      await stores.close();
    }
  },
  // Peer: better-sqlite3, one prepared single-row INSERT, a transaction per batch.
  async rawSqlite(location, rows) {
    const db = new Database(location.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const insert = db.prepare(
      `insert into prediction_log (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertMany = db.transaction((batch) => {
      for (const r of batch) insert.run(rowValues(r));
    });
    try {
      return await timeBatches(rows, async (batch) => insertMany(batch));
    } finally {
      db.close();
    }
  },
  // Peer: node-postgres, hand-written 500-row INSERTs, a transaction per batch.
  async rawPostgres(location, rows) {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    const sqlFor = (n) =>
      `insert into prediction_log (${COLUMNS}) values ` +
      Array.from(
        { length: n },
        (_, r) => `(${Array.from({ length: 7 }, (_, c) => `$${r * 7 + c + 1}`).join(', ')})`,
      ).join(', ');
    try {
      return await timeBatches(rows, async (batch) => {
        await client.query('begin');
        for (let i = 0; i < batch.length; i += 500) {
          const chunk = batch.slice(i, i + 500);
          await client.query(sqlFor(chunk.length), chunk.flatMap(rowValues));
        }
        await client.query('commit');
      });
    } finally {
      await client.end();
    }
  },
};

/** Median rows/s over REPEATS fresh locations, after one small warm-up. */
async function measure(writer, freshLocation) {
  await writer(await prepare(await freshLocation()), makeRows(BATCH, 'warm'));
  const rates = [];
  for (let i = 0; i < REPEATS; i++) {
    const location = await prepare(await freshLocation());
    const rows = makeRows(ROWS, `r${i}`);
    rates.push(ROWS / (await writer(location, rows)));
  }
  return rates.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

async function connectPg() {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return { client };
  } catch (err) {
    await client.end().catch(() => {});
    return { reason: err.code ?? err.message };
  }
}

const results = [];
const dir = mkdtempSync(join(tmpdir(), 'flywheel-bench-store-'));
let n = 0;
try {
  const freshSqlite = async () => {
    const d = join(dir, `s${n++}`);
    return { kind: 'sqlite', path: join(d, 'metadata.db'), artifactDir: join(d, 'artifacts') };
  };
  const sqlite = 'SQLite (WAL, synchronous=FULL)';
  const rawSqlite = await measure(writers.rawSqlite, freshSqlite);
  results.push(['better-sqlite3, prepared 1-row INSERT (peer)', sqlite, rawSqlite, rawSqlite]);
  results.push([
    'Flywheel `logPredictions`',
    sqlite,
    await measure(writers.flywheel, freshSqlite),
    rawSqlite,
  ]);

  const admin = await connectPg();
  if (admin.client) {
    const databases = [];
    const freshPg = async () => {
      const name = `flywheel_bench_${process.pid}_${n++}`;
      await admin.client.query(`create database ${name}`);
      databases.push(name);
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      return { kind: 'postgres', url: url.toString(), artifactDir: join(dir, 'a') };
    };
    try {
      const rawPg = await measure(writers.rawPostgres, freshPg);
      results.push([
        'node-postgres, hand-written 500-row INSERT (peer)',
        'PostgreSQL',
        rawPg,
        rawPg,
      ]);
      results.push([
        'Flywheel `logPredictions`',
        'PostgreSQL',
        await measure(writers.flywheel, freshPg),
        rawPg,
      ]);
    } finally {
      for (const name of databases) {
        await admin.client.query(`drop database if exists ${name} with (force)`);
      }
      await admin.client.end();
    }
  } else {
    console.log(
      `PostgreSQL skipped: unreachable at ${new URL(PG_ADMIN_URL).host} (${admin.reason})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nprediction-log inserts: ${ROWS.toLocaleString('en')} rows in batches of ${BATCH}, ` +
    `median of ${REPEATS} runs\n`,
);
console.log('| writer | engine | rows/s | vs peer |');
console.log('| --- | --- | ---: | ---: |');
for (const [writer, engine, rate, peer] of results) {
  const shown = Math.round(rate).toLocaleString('en');
  console.log(`| ${writer} | ${engine} | ${shown} | ${(rate / peer).toFixed(2)}× |`);
}
