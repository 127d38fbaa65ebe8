#!/usr/bin/env node
// bench:data — step 3 on the 3M-row flights table: prepare (with the two
// point-in-time features), PII scan, snapshot, profile, quality and leakage
// checks, each timed on its own. The issue's bar: profile + quality checks +
// PII scan under 20 s on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DuckSession,
  freezeDataset,
  leakageInput,
  prepareDataset,
  profileView,
  runLeakageChecks,
  runQualityChecks,
} from '../dist/data/index.js';
import { scanPii } from '../dist/governance/index.js';
import { initProject } from '../dist/pipeline/index.js';
import { loadSpec } from '../dist/spec/index.js';
import { openStore, resolveStoreLocation } from '../dist/store/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 2);
const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-data-'));
initProject({ dir, example: 'flights' });
const loaded = loadSpec(dir);

const stages = new Map();
function record(name, ms) {
  if (!stages.has(name)) stages.set(name, []);
  stages.get(name).push(ms / 1000);
}
async function timed(name, fn) {
  const t0 = performance.now();
  const out = await fn();
  record(name, performance.now() - t0);
  return out;
}

let rows = 0;
let findings = [];
for (let i = 0; i < runs; i++) {
  const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  const session = await DuckSession.open();
  const prepared = await timed('prepare (sources, types, 2 point-in-time features)', () =>
    prepareDataset(session, loaded),
  );
  rows = prepared.rows;
  const raw = await session.describe('SELECT * FROM fw_input');
  await timed('PII scan (raw input, 10k-value sample per column)', () =>
    scanPii(session, 'fw_input', raw, { sampleRows: 10_000 }),
  );
  await timed('snapshot (Parquet, sha256, into the artifact store)', () =>
    freezeDataset(session, stores),
  );
  const columns = prepared.features.map((f) => ({ name: f.name, type: f.type }));
  columns.push({ name: '__target', type: 'binary' });
  const profile = await timed('profile (every column)', () =>
    profileView(session, 'fw_dataset', columns),
  );
  const input = {
    view: 'fw_dataset',
    features: prepared.features.map((f) => ({ name: f.name, type: f.type })),
    targetKind: prepared.targetKind,
    targetName: loaded.spec.target.column,
    hasEntity: false,
    hasEventTime: true,
    profile,
  };
  const quality = await timed('quality checks (incl. split drift)', () =>
    runQualityChecks(session, input),
  );
  const leakage = await timed('leakage checks', () =>
    runLeakageChecks(session, leakageInput(prepared)),
  );
  findings = [...quality, ...leakage];
  session.close();
  await stores.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(2).padStart(7);
console.log(`\nbench:data — flights, ${rows.toLocaleString('en-US')} rows, ${runs} run(s)\n`);
console.log('stage                                                  median s    min s    max s');
for (const [name, xs] of stages) {
  console.log(
    `${name.padEnd(54)} ${fmt(median(xs))}  ${fmt(Math.min(...xs))}  ${fmt(Math.max(...xs))}`,
  );
}
const bar = ['PII scan', 'profile', 'quality checks'].reduce(
  (s, prefix) => s + median([...stages].find(([k]) => k.startsWith(prefix))[1]),
  0,
);
const all = [...stages.values()].reduce((s, xs) => s + median(xs), 0);
console.log(
  `\nprofile + quality checks + PII scan: ${bar.toFixed(2)} s (bar: under 20 s) — ${bar < 20 ? 'met' : 'MISSED'}`,
);
console.log(`all of step 3 above, prepare and snapshot included: ${all.toFixed(2)} s`);
console.log(
  `findings on flights: ${findings.map((f) => `${f.check}${f.column ? `[${f.column}]` : ''}:${f.severity}`).join(', ')}`,
);
rmSync(dir, { recursive: true, force: true });
