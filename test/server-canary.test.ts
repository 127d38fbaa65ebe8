/**
 * The canary controller end to end, as a user runs it (issue 7: "an injected
 * regression in the canary is rolled back automatically within the
 * configured checks"): `flywheel run` makes v1 the champion of a small
 * project; a candidate is registered through the library and deployed with
 * `flywheel deploy NAME@V --canary 50%`; the built `flywheel serve
 * --controller` in a child process takes steady traffic with varied routing
 * keys and judges the canary every second.
 * - a regressed candidate (a model fitted on flipped labels: its scores
 *   diverge from the champion's) is rolled back after exactly
 *   `--canary-failed-checks` failing checks, the evidence naming the check;
 * - an equivalent candidate (the same model, another bundle) is promoted
 *   after `--canary-checks` passing checks;
 * - either way no request fails, and every answered prediction is in the log.
 * Outcomes are asserted, never timings.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AliasMove, type ModelBundle, ModelRegistry } from '../src/registry/index.js';
import type { CanaryCheck } from '../src/serve/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec, flippedModel } from './fixtures/canary-project.js';
import { writeProject } from './fixtures/project.js';
import { type ServerProcess, startServeProcess, stopServers } from './fixtures/serve-process.js';

const MODEL = 'canary_project';
const bin = path.resolve('bin/flywheel.js');
const run = promisify(execFile);
const env = { ...process.env, CI: 'true', FLYWHEEL_STORE: '' };

const POLICY = { interval: 1, minRequests: 20, failedChecks: 2, checks: 3 };
const SERVE_ARGS = [
  '--auth',
  'off',
  '--controller',
  '--canary-interval',
  String(POLICY.interval),
  '--canary-min-requests',
  String(POLICY.minRequests),
  '--canary-failed-checks',
  String(POLICY.failedChecks),
  '--canary-checks',
  String(POLICY.checks),
];
/** Generous: the canary ends within a few seconds; this only bounds a broken controller. */
const DEADLINE_MS = 25_000;

/** Rows a request carries, drawn like the training data. */
const ROWS_PER_REQUEST = 8;
const requestRows = canaryRows(2000, 23).map(({ x, city }) => ({ x, city }));

async function flywheel(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(process.execPath, [bin, ...args], { cwd, env });
  return stdout;
}

async function withRegistry<T>(
  dir: string,
  fn: (registry: ModelRegistry, stores: Stores) => Promise<T>,
): Promise<T> {
  const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  try {
    return await fn(new ModelRegistry(stores), stores);
  } finally {
    await stores.close();
  }
}

let dir: string;

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/cli/main.js')))
    throw new Error('run `npm run build` first (npm test does)');
  dir = writeProject(canarySpec(), { 'data.csv': canaryCsv() });
  const out = JSON.parse(await flywheel(['run', '--json'], dir)) as { blessed: boolean };
  expect(out.blessed).toBe(true);
  const flipped = await flippedModel();
  await withRegistry(dir, async (registry) => {
    const champion = await registry.resolve(`${MODEL}@champion`);
    expect(champion.version).toBe(1);
    const bundle = await registry.loadBundle(champion);
    // v2, the regression: a different fitted model behind the same inputs,
    // lineage and blessing. Its samples (the champion's scores) would fail
    // the smoke check, so they go.
    const { samples: _samples, ...rest } = bundle;
    const regressed: ModelBundle = {
      ...rest,
      model: flipped,
      blessing: { ...bundle.blessing, passed: true },
      createdAt: new Date(Date.parse(bundle.createdAt) + 1000).toISOString(),
    };
    // v3, a retrain that changed nothing: the same model in a bundle of its own.
    const equivalent: ModelBundle = {
      ...bundle,
      createdAt: new Date(Date.parse(bundle.createdAt) + 2000).toISOString(),
    };
    expect((await registry.register(regressed, { actor: 'test' })).version).toBe(2);
    expect((await registry.register(equivalent, { actor: 'test' })).version).toBe(3);
  });
}, 120_000);

afterEach(() => stopServers('SIGTERM'));

function startServer(dir: string): Promise<ServerProcess> {
  return startServeProcess([bin, 'serve', ...SERVE_ARGS], { cwd: dir, env });
}

interface Answer {
  readonly status: number | string;
  readonly predictions: { prediction_id: string; model_version: string }[];
}

/**
 * Steady traffic until stopped: `concurrency` clients each sending requests
 * of ROWS_PER_REQUEST rows with a fresh routing key, so the sticky split
 * sends about half of them to the canary.
 */
function traffic(url: string, concurrency = 4) {
  const answers: Answer[] = [];
  let stop = false;
  let sent = 0;
  const worker = async () => {
    while (!stop) {
      const i = sent++;
      const rows = Array.from(
        { length: ROWS_PER_REQUEST },
        (_, j) => requestRows[(i * ROWS_PER_REQUEST + j) % requestRows.length],
      );
      try {
        const res = await fetch(`${url}/v1/models/${MODEL}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rows, routing_key: `request-${i}` }),
        });
        const text = await res.text();
        let predictions: Answer['predictions'] = [];
        try {
          predictions = (JSON.parse(text) as Partial<Answer>).predictions ?? [];
        } catch {}
        answers.push({ status: res.status, predictions });
      } catch (err) {
        answers.push({ status: `network: ${(err as Error).cause ?? err}`, predictions: [] });
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    answers,
    /** The versions that answer the next `n` requests to complete. */
    async nextVersions(n: number): Promise<Set<string>> {
      const from = answers.length;
      const until = Date.now() + DEADLINE_MS;
      while (answers.length < from + n && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return new Set(answers.slice(from).flatMap((a) => a.predictions.map((p) => p.model_version)));
    },
    async stop(): Promise<Answer[]> {
      stop = true;
      await workers;
      return answers;
    },
  };
}

interface DeploymentStatus {
  champion?: { version: number };
  canary?: { version: { version: number }; weight: number };
}

/** Polls `flywheel deploy NAME --status --json` until the canary is gone (or the deadline). */
async function canaryEnded(dir: string): Promise<DeploymentStatus> {
  const until = Date.now() + DEADLINE_MS;
  for (;;) {
    const status = JSON.parse(
      await flywheel(['deploy', MODEL, '--status', '--json'], dir),
    ) as DeploymentStatus;
    if (status.canary === undefined || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface CanaryEvidence {
  policy: { failedChecks: number; successfulChecks: number; minRequests: number };
  progress: { passes: number; failures: number; errors: number; checks: number };
  checks: CanaryCheck[];
}

/** The move that ended the canary of version `version`, and its evidence. */
function canaryEnd(history: readonly AliasMove[], version: number) {
  const ends = history.filter(
    (m) => m.alias === 'canary' && m.fromVersion === version && m.toVersion === null,
  );
  expect(ends).toHaveLength(1);
  return { move: ends[0]!, evidence: ends[0]!.evidence as CanaryEvidence };
}

async function loggedIds(dir: string): Promise<Set<string>> {
  return withRegistry(dir, async (_, stores) => {
    const records = await stores.metadata.listPredictions({ limit: 1_000_000 });
    return new Set(records.map((r) => r.id));
  });
}

function expectNoFailedRequestAndEveryAnswerLogged(
  answers: readonly Answer[],
  logged: Set<string>,
) {
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.filter((a) => a.status !== 200).map((a) => a.status)).toEqual([]);
  const ids = answers.flatMap((a) => a.predictions.map((p) => p.prediction_id));
  expect(ids.length).toBe(answers.length * ROWS_PER_REQUEST);
  expect(ids.filter((id) => !logged.has(id))).toEqual([]);
}

const served = (answers: readonly Answer[]) =>
  new Set(answers.flatMap((a) => a.predictions.map((p) => p.model_version)));

describe('flywheel serve --controller: canary analysis end to end', () => {
  it('rolls back a canary whose scores diverge after exactly --canary-failed-checks failing checks', async () => {
    await flywheel(
      ['deploy', `${MODEL}@2`, '--canary', '50%', '--reason', 'injected regression'],
      dir,
    );

    const server = await startServer(dir);
    const load = traffic(server.url);
    const status = await canaryEnded(dir);
    // What serves once the controller has rolled back: the champion alone.
    const after = await load.nextVersions(200);
    const answers = await load.stop();

    expect(status.canary, server.stderr()).toBeUndefined();
    expect(status.champion?.version).toBe(1);
    expect(served(answers)).toEqual(new Set([`${MODEL}@1`, `${MODEL}@2`]));
    expect(after).toEqual(new Set([`${MODEL}@1`]));
    expectNoFailedRequestAndEveryAnswerLogged(answers, await loggedIds(dir));

    const history = await withRegistry(dir, (registry) => registry.aliasHistory(MODEL));
    expect(history.map((m) => [m.alias, m.action, m.fromVersion, m.toVersion])).toEqual([
      ['champion', 'promote', null, 1],
      ['canary', 'canary.start', null, 2],
      ['canary', 'canary.rolled_back', 2, null],
    ]);
    const { move, evidence } = canaryEnd(history, 2);
    expect(move.reason).toMatch(
      new RegExp(`^${POLICY.failedChecks} checks failed; last: failed: .*score_psi`),
    );
    expect(evidence.policy).toMatchObject({
      failedChecks: POLICY.failedChecks,
      successfulChecks: POLICY.checks,
      minRequests: POLICY.minRequests,
      intervalMs: POLICY.interval * 1000,
    });
    expect(evidence.progress.failures).toBe(POLICY.failedChecks);
    const failed = evidence.checks.filter((c) => c.verdict === 'fail');
    expect(failed).toHaveLength(POLICY.failedChecks);
    // Rolled back at the failure that reached the limit: nothing judged after it.
    expect(evidence.checks.at(-1)).toBe(failed.at(-1));
    expect(evidence.checks.every((c) => c.verdict === 'fail' || c.verdict === 'hold')).toBe(true);
    for (const check of failed) {
      expect(check).toMatchObject({ champion: `${MODEL}@1`, canary: `${MODEL}@2` });
      expect(check.windows.canary.requests).toBeGreaterThanOrEqual(POLICY.minRequests);
      expect(check.windows.canary.errors).toBe(0);
      const metric = (name: string) => check.metrics.find((m) => m.name === name);
      // The divergence of the score distributions is what failed; nothing else did.
      expect(metric('score_psi')).toMatchObject({ passed: false, threshold: 0.2 });
      expect(metric('score_psi')!.canary).toBeGreaterThan(0.2);
      expect(metric('success_rate')).toMatchObject({ passed: true, canary: 1 });
      expect(check.metrics.filter((m) => m.passed === false).map((m) => m.name)).toEqual([
        'score_psi',
      ]);
      expect(check.reason).toMatch(/^failed: score_psi /);
    }
  }, 60_000);

  it('promotes an equivalent canary after --canary-checks passing checks', async () => {
    await flywheel(['deploy', `${MODEL}@3`, '--canary', '50%', '--reason', 'same model'], dir);

    const server = await startServer(dir);
    const load = traffic(server.url);
    const status = await canaryEnded(dir);
    const after = await load.nextVersions(200);
    const answers = await load.stop();

    expect(status.canary, server.stderr()).toBeUndefined();
    expect(status.champion?.version).toBe(3);
    expect(served(answers)).toEqual(new Set([`${MODEL}@1`, `${MODEL}@3`]));
    expect(after).toEqual(new Set([`${MODEL}@3`]));
    expectNoFailedRequestAndEveryAnswerLogged(answers, await loggedIds(dir));

    const history = await withRegistry(dir, (registry) => registry.aliasHistory(MODEL));
    const since = history.findIndex((m) => m.action === 'canary.start' && m.toVersion === 3);
    expect(
      history.slice(since).map((m) => [m.alias, m.action, m.fromVersion, m.toVersion]),
    ).toEqual([
      ['canary', 'canary.start', null, 3],
      ['champion', 'canary.promote', 1, 3],
      ['canary', 'canary.promoted', 3, null],
    ]);
    const promotion = history.find((m) => m.action === 'canary.promote')!;
    expect(promotion.reason).toBe(`${POLICY.checks} consecutive checks passed`);
    const { evidence } = canaryEnd(history, 3);
    expect(evidence.progress).toMatchObject({ passes: POLICY.checks, failures: 0 });
    const last = evidence.checks.slice(-POLICY.checks);
    expect(last.map((c) => c.verdict)).toEqual(Array(POLICY.checks).fill('pass'));
    expect(evidence.checks.some((c) => c.verdict === 'fail' || c.verdict === 'error')).toBe(false);
    for (const check of last) {
      expect(check).toMatchObject({ champion: `${MODEL}@1`, canary: `${MODEL}@3` });
      expect(check.windows.canary.requests).toBeGreaterThanOrEqual(POLICY.minRequests);
      expect(check.metrics.find((m) => m.name === 'score_psi')?.passed).toBe(true);
    }
  }, 60_000);
});
