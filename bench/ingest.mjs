#!/usr/bin/env node
// bench:ingest — how long loading the 3M-row flights Parquet into Flywheel's
// columnar Frame takes (prepare + read + target + split + derived features),
// against reading the same query as row objects through DuckDB's own
// JavaScript reader, the naive way. Same machine, same run; ratios printed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckSession, loadDataset, prepareDataset } from '../dist/data/index.js';
import { initProject } from '../dist/pipeline/index.js';
import { loadSpec } from '../dist/spec/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-ingest-'));
initProject({ dir, example: 'flights' });
const loaded = loadSpec(dir);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function flywheelLoad() {
  const t0 = performance.now();
  const session = await DuckSession.open();
  const prepared = await prepareDataset(session, loaded);
  const data = await loadDataset(session, prepared);
  session.close();
  return { ms: performance.now() - t0, rows: data.features.rowCount };
}

async function rowObjects() {
  const t0 = performance.now();
  const session = await DuckSession.open();
  await prepareDataset(session, loaded);
  const reader = await session.connection.runAndReadAll('SELECT * FROM fw_dataset');
  const rows = reader.getRowObjectsJS();
  session.close();
  return { ms: performance.now() - t0, rows: rows.length };
}

const results = [];
for (const [name, fn] of [
  ['Flywheel Frame (typed arrays)', flywheelLoad],
  ['DuckDB row objects (naive JS)', rowObjects],
]) {
  const times = [];
  let rows = 0;
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const r = await fn();
    times.push(r.ms);
    rows = r.rows;
    rss = Math.max(rss, process.memoryUsage().rss);
    globalThis.gc?.();
  }
  results.push({
    name,
    rows,
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
  });
}

const base = results[0].median;
console.log(`\nbench:ingest — flights-3m.parquet → columnar dataset (${runs} runs each, median)\n`);
console.log('| reader | rows | median s | min s | max s | rows/s | time vs Flywheel |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.rows.toLocaleString('en-US')} | ${(r.median / 1000).toFixed(2)} | ${(r.min / 1000).toFixed(2)} | ${(r.max / 1000).toFixed(2)} | ${Math.round(r.rows / (r.median / 1000)).toLocaleString('en-US')} | ${(r.median / base).toFixed(2)}× |`,
  );
}
console.log(`\nNode ${process.version}, ${(await import('node:os')).cpus().length} cores`);
