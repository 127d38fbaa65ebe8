/**
 * The model server under load, faults and bad input, as a user runs it: the
 * built `flywheel serve` in a child process over a real SQLite store, a real
 * registry with two GBDT versions, real tokens and the registry-backed model
 * host (group-committed prediction log). Issue 7's "done when":
 * - malformed requests mixed into valid load: zero 5xx, each malformed one
 *   gets its 4xx, the server stays up;
 * - SIGKILL mid-load, restart: every answered prediction is in the log;
 * - promote and roll back under load: zero failed requests;
 * - 401 and 403 kept distinct, a revoked token fails;
 * - SIGTERM under load drains and exits 0; auth off refuses a public bind.
 * Outcomes are asserted, never timings.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry, TokenStore } from '../src/registry/index.js';
import { requestRows, serveFixture } from '../src/serve/fixtures/serve-bundle.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { type ServerProcess, startServeProcess, stopServers } from './fixtures/serve-process.js';
import { testDir } from './fixtures/tmp.js';

const MODEL = 'churn';
const rows = requestRows(500, 7);
let projectDir: string;
let entry: string[];
const tokens: Record<'predictor' | 'viewer' | 'deployer', string> = {
  predictor: '',
  viewer: '',
  deployer: '',
};

async function withStores<T>(fn: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStore(resolveStoreLocation({ specDir: projectDir, env: {} }));
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

/** `bin/flywheel.js serve`, or the serve command alone while main.ts does not register it yet. */
function serveEntry(dir: string): string[] {
  const main = readFileSync(path.resolve('dist/cli/main.js'), 'utf8');
  if (main.includes('serveCommand')) return [path.resolve('bin/flywheel.js'), 'serve'];
  const shim = path.join(dir, 'serve-shim.mjs');
  const url = (p: string) => pathToFileURL(path.resolve(p)).href;
  writeFileSync(
    shim,
    [
      `import { serveCommand } from '${url('dist/cli/commands/serve.js')}';`,
      `import { processIo, reportError } from '${url('dist/cli/output.js')}';`,
      'try {',
      "  await serveCommand(processIo).parseAsync(process.argv.slice(2), { from: 'user' });",
      '} catch (err) {',
      '  process.exitCode = reportError(processIo, err, false);',
      '}',
    ].join('\n'),
  );
  return [shim];
}

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/cli/commands/serve.js')))
    throw new Error('run `npm run build` first (npm test does)');
  projectDir = testDir('fw-server');
  entry = serveEntry(projectDir);
  const [v1, v2, unpromoted] = await Promise.all([
    serveFixture({ seed: 1 }),
    serveFixture({ seed: 2 }),
    serveFixture({ seed: 3, name: 'unpromoted' }),
  ]);
  await withStores(async (stores) => {
    const registry = new ModelRegistry(stores);
    await registry.register(v1.bundle, { actor: 'test' });
    await registry.register(v2.bundle, { actor: 'test' });
    // Registered, never deployed: not served, and no reason to be unready.
    await registry.register(unpromoted.bundle, { actor: 'test' });
    await registry.moveAlias({
      name: MODEL,
      alias: 'champion',
      version: 1,
      actor: 'test',
      reason: 'first model',
    });
    const store = new TokenStore(stores, { cacheMs: 0 });
    for (const role of ['predictor', 'viewer', 'deployer'] as const) {
      tokens[role] = (await store.create({ role, name: `${role}-client`, actor: 'test' })).token;
    }
  });
}, 120_000);

afterEach(() => stopServers('SIGKILL'));

function startServer(args: readonly string[] = []): Promise<ServerProcess> {
  return startServeProcess([...entry, ...args], {
    cwd: projectDir,
    env: { ...process.env, FLYWHEEL_STORE: '' },
  });
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { 'content-type': 'application/json' };

interface Shot {
  readonly kind: string;
  readonly expect: readonly number[];
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

interface Outcome {
  readonly kind: string;
  readonly status: number | string;
  readonly body?: unknown;
}

async function fire(url: string, shot: Shot): Promise<Outcome> {
  try {
    const res = await fetch(url + shot.path, {
      method: shot.method ?? 'POST',
      headers: shot.headers ?? {},
      ...(shot.body === undefined ? {} : { body: shot.body }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { kind: shot.kind, status: res.status, body };
  } catch (err) {
    return { kind: shot.kind, status: `network: ${(err as Error).cause ?? err}` };
  }
}

/** A bound on any one load, so a broken server fails a test instead of hanging it. */
const MAX_SHOTS = 20_000;

/** Sends `next()` shots from `concurrency` workers until `done()` is true. */
async function load(
  url: string,
  next: (i: number) => Shot,
  options: { concurrency: number; done: (sent: number) => boolean },
  onOutcome: (outcome: Outcome) => void = () => {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let sent = 0;
  const worker = async () => {
    while (!options.done(sent) && sent < MAX_SHOTS) {
      const outcome = await fire(url, next(sent++));
      outcomes.push(outcome);
      onOutcome(outcome);
      if (typeof outcome.status === 'string') await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
}

const row = (i: number) => rows[i % rows.length]!;
const predictShot = (i: number, rowsPerRequest = 1): Shot => ({
  kind: 'valid',
  expect: [200],
  path: `/v1/models/${MODEL}/predict`,
  headers: { ...json, ...auth(tokens.predictor) },
  body: JSON.stringify(
    rowsPerRequest === 1
      ? { row: row(i) }
      : {
          rows: Array.from({ length: rowsPerRequest }, (_, j) => row(i + j)),
          routing_key: `k${i}`,
        },
  ),
});

function predictionIds(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((o) =>
    o.status === 200
      ? (o.body as { predictions: { prediction_id: string }[] }).predictions.map(
          (p) => p.prediction_id,
        )
      : [],
  );
}

async function loggedIds(): Promise<Set<string>> {
  return withStores(async (stores) => {
    const records = await stores.metadata.listPredictions({ limit: 1_000_000 });
    return new Set(records.map((r) => r.id));
  });
}

function malformedShots(): ((i: number) => Shot)[] {
  const P = { ...json, ...auth(tokens.predictor) };
  const predict = `/v1/models/${MODEL}/predict`;
  const valid = JSON.stringify({ row: row(0) });
  return [
    (i) => predictShot(i),
    (i) => ({ ...predictShot(i, 20), kind: 'valid batch' }),
    (i) => ({
      kind: 'valid v2 infer',
      expect: [200],
      path: `/v2/models/${MODEL}/infer`,
      headers: P,
      body: JSON.stringify({
        inputs: [
          { name: 'x1', shape: [2], datatype: 'FP64', data: [row(i)['x1'], 0.5] },
          { name: 'x2', shape: [2], datatype: 'FP64', data: [row(i)['x2'], -0.5] },
          { name: 'city', shape: [2], datatype: 'BYTES', data: ['berlin', 'cairo'] },
          { name: 'seen_at', shape: [2], datatype: 'BYTES', data: [row(i)['seen_at'], null] },
        ],
      }),
    }),
    () => ({
      kind: 'bad JSON',
      expect: [400],
      path: predict,
      headers: P,
      body: '{"rows": [{"x1": 1',
    }),
    () => ({ kind: 'empty body', expect: [400], path: predict, headers: P, body: '' }),
    (i) => ({
      kind: 'wrong type',
      expect: [400],
      path: predict,
      headers: P,
      body: JSON.stringify({ row: { ...row(i), x2: 'VALUE-SECRET-42' } }),
    }),
    (i) => {
      const { x2: _x2, ...rest } = row(i);
      return {
        kind: 'missing field',
        expect: [400],
        path: predict,
        headers: P,
        body: JSON.stringify({ row: rest }),
      };
    },
    (i) => ({
      kind: 'unknown field',
      expect: [400],
      path: predict,
      headers: P,
      body: JSON.stringify({ row: { ...row(i), bogus: 1 } }),
    }),
    () => ({
      kind: 'rows not an array',
      expect: [400],
      path: predict,
      headers: P,
      body: '{"rows":{"x2":1}}',
    }),
    () => ({
      kind: '__proto__ key',
      expect: [400],
      path: predict,
      headers: P,
      body: valid.replace(/}}$/, ',"__proto__":{"isAdmin":true}}}'),
    }),
    () => ({
      kind: 'constructor.prototype key',
      expect: [400],
      path: predict,
      headers: P,
      body: valid.replace(/^{/, '{"constructor":{"prototype":{"isAdmin":true}},'),
    }),
    () => ({
      kind: 'non-UTF-8 body',
      expect: [400],
      path: predict,
      headers: P,
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    }),
    () => ({
      kind: 'unknown model',
      expect: [404],
      path: '/v1/models/no_such_model/predict',
      headers: P,
      body: JSON.stringify({ row: row(0) }),
    }),
    () => ({
      kind: 'undeployed model',
      expect: [404],
      path: '/v1/models/unpromoted/predict',
      headers: P,
      body: JSON.stringify({ row: row(0) }),
    }),
    () => ({
      kind: 'unknown route',
      expect: [404],
      path: '/v1/nothing',
      method: 'GET',
      headers: P,
    }),
    () => ({
      kind: 'wrong content type',
      expect: [415],
      path: predict,
      headers: { ...P, 'content-type': 'text/plain' },
      body: JSON.stringify({ row: row(0) }),
    }),
    () => ({
      kind: 'form content type',
      expect: [415],
      path: predict,
      headers: { ...P, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'row=1',
    }),
    () => ({
      kind: 'gzip body',
      expect: [415],
      path: predict,
      headers: { ...P, 'content-encoding': 'gzip' },
      body: JSON.stringify({ row: row(0) }),
    }),
    () => ({
      kind: 'oversized body',
      expect: [413],
      path: predict,
      headers: P,
      body: JSON.stringify({ rows: [{ x2: 1, city: 'x'.repeat(1_100_000) }] }),
    }),
    () => ({
      kind: 'too many rows',
      expect: [422],
      path: predict,
      headers: P,
      body: JSON.stringify({ rows: Array.from({ length: 1001 }, (_, j) => row(j)) }),
    }),
    () => ({
      kind: 'v2 wrong datatype',
      expect: [400],
      path: `/v2/models/${MODEL}/infer`,
      headers: P,
      body: JSON.stringify({ inputs: [{ name: 'x2', shape: [1], datatype: 'FP64', data: ['a'] }] }),
    }),
  ];
}

describe('flywheel serve under load and faults', () => {
  it('answers malformed requests mixed into valid load with their 4xx, never a 5xx, and stays up', async () => {
    const server = await startServer();
    const shots = malformedShots();
    const outcomes = await load(server.url, (i) => shots[i % shots.length]!(i), {
      concurrency: 24,
      done: (sent) => sent >= shots.length * 60,
    });
    const expected = new Map(shots.map((s) => [s(0).kind, s(0).expect]));
    const byKind = new Map<string, Map<number | string, number>>();
    for (const o of outcomes) {
      const counts = byKind.get(o.kind) ?? new Map<number | string, number>();
      counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
      byKind.set(o.kind, counts);
    }
    // The server answers 413 as soon as Content-Length passes the limit and
    // does not read the rest: a client still writing its 1.1 MB may see the
    // connection close (EPIPE / ECONNRESET) before it reads the 413. Either
    // way the body was refused; most clients do read the 413.
    const refusedEarly = (kind: string, status: number | string) =>
      kind === 'oversized body' && /EPIPE|ECONNRESET/.test(String(status));
    const wrong = [...byKind].flatMap(([kind, counts]) =>
      [...counts]
        .filter(([status]) => !expected.get(kind)!.includes(status as number))
        .filter(([status]) => !refusedEarly(kind, status))
        .map(([status, n]) => `${kind}: ${n} × ${status}`),
    );
    expect(wrong).toEqual([]);
    expect(byKind.get('oversized body')?.get(413) ?? 0).toBeGreaterThan(0);
    expect(outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500)).toEqual([]);
    for (const o of outcomes) {
      if (o.status === 200 || refusedEarly(o.kind, o.status)) continue;
      const error = (o.body as { error?: { code?: string; requestId?: string } }).error;
      expect(error?.code, o.kind).toMatch(/^[A-Z_]+$/);
      expect(error?.requestId, o.kind).toBeTruthy();
      expect(JSON.stringify(o.body)).not.toMatch(/isAdmin|VALUE-SECRET-42|\bat .*\.js:\d+/);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    const metrics = await (
      await fetch(`${server.url}/metrics`, { headers: auth(tokens.viewer) })
    ).text();
    expect(metrics).toMatch(
      /flywheel_requests_total\{model="churn",version="1",route="\/v1\/models\/:name\/predict",code="200"\} \d+/,
    );
    expect(metrics).toMatch(
      /flywheel_request_duration_seconds_bucket\{le="0.005",model="churn",version="1"\}/,
    );
  }, 60_000);

  it('keeps every answered prediction in the log when killed with SIGKILL mid-load', async () => {
    const server = await startServer();
    let answered = 0;
    const outcomes = await load(
      server.url,
      (i) => predictShot(i, 1 + (i % 3)),
      { concurrency: 16, done: () => server.child.signalCode !== null },
      (o) => {
        if (o.status === 200 && ++answered === 300) server.child.kill('SIGKILL');
      },
    );
    await server.exited;
    const ids = predictionIds(outcomes);
    expect(ids.length).toBeGreaterThanOrEqual(300);
    const logged = await loggedIds();
    expect(ids.filter((id) => !logged.has(id))).toEqual([]);

    const restarted = await startServer();
    expect((await fetch(`${restarted.url}/readyz`)).status).toBe(200);
    const again = await fire(restarted.url, predictShot(1));
    expect(again.status).toBe(200);
    expect((await loggedIds()).has(predictionIds([again])[0]!)).toBe(true);
  }, 60_000);

  it('promotes and rolls back under load without a failed request', async () => {
    const server = await startServer();
    const D = { ...json, ...auth(tokens.deployer) };
    const seen = new Map<string, number>();
    let stop = false;
    const running = load(
      server.url,
      (i) => predictShot(i, 4),
      { concurrency: 8, done: () => stop },
      (o) => {
        if (o.status !== 200) return;
        const versions = new Set(
          (o.body as { predictions: { model_version: string }[] }).predictions.map(
            (p) => p.model_version,
          ),
        );
        for (const v of versions) seen.set(v, (seen.get(v) ?? 0) + 1);
      },
    );
    const servedNow = async (version: string) => {
      for (let i = 0; i < 200; i++) {
        const before = seen.get(version) ?? 0;
        await new Promise((r) => setTimeout(r, 50));
        if ((seen.get(version) ?? 0) > before) return true;
      }
      return false;
    };
    const moves: number[] = [];
    for (let cycle = 0; cycle < 2; cycle++) {
      const promote = await fire(server.url, {
        kind: 'promote',
        expect: [200],
        path: `/v1/models/${MODEL}/promote`,
        headers: D,
        body: JSON.stringify({ version: 2, reason: `cycle ${cycle}: v2 beats v1` }),
      });
      moves.push(promote.status as number);
      expect(await servedNow(`${MODEL}@2`)).toBe(true);
      const rollback = await fire(server.url, {
        kind: 'rollback',
        expect: [200],
        path: `/v1/models/${MODEL}/rollback`,
        headers: D,
        body: JSON.stringify({ reason: `cycle ${cycle}: back to v1` }),
      });
      moves.push(rollback.status as number);
      expect(await servedNow(`${MODEL}@1`)).toBe(true);
    }
    stop = true;
    const outcomes = await running;
    expect(moves).toEqual([200, 200, 200, 200]);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 200).map((o) => o.status)).toEqual([]);
    for (const o of outcomes) {
      const versions = new Set(
        (o.body as { predictions: { model_version: string }[] }).predictions.map(
          (p) => p.model_version,
        ),
      );
      expect(versions.size).toBe(1);
    }
    const deployment = await fire(server.url, {
      kind: 'deployment',
      expect: [200],
      method: 'GET',
      path: `/v1/models/${MODEL}/deployment`,
      headers: auth(tokens.viewer),
    });
    expect(deployment.body).toMatchObject({ aliases: { champion: 1 } });
    const history = await withStores((stores) => new ModelRegistry(stores).aliasHistory(MODEL));
    expect(history.filter((m) => m.actor.startsWith('deployer-client')).length).toBe(4);
  }, 60_000);

  it('keeps 401 and 403 apart, rejects a revoked token and slows down token guessing', async () => {
    const server = await startServer();
    const predict = (headers: Record<string, string>) =>
      fire(server.url, { ...predictShot(0), headers: { ...json, ...headers } });
    const none = await fetch(`${server.url}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ row: row(0) }),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await predict(auth('fw_not-a-real-token'))).status).toBe(401);
    expect((await predict(auth(tokens.viewer))).status).toBe(403);
    const doomed = await withStores((stores) =>
      new TokenStore(stores).create({ role: 'predictor', name: 'leaked', actor: 'test' }),
    );
    expect((await predict(auth(doomed.token))).status).toBe(200);
    const promote = await fire(server.url, {
      kind: 'promote',
      expect: [403],
      path: `/v1/models/${MODEL}/promote`,
      headers: { ...json, ...auth(tokens.predictor) },
      body: JSON.stringify({ version: 2, reason: 'not allowed' }),
    });
    expect(promote.status).toBe(403);
    for (const url of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']) {
      expect((await fetch(server.url + url)).status, url).toBe(200);
    }
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/v2/models/${MODEL}`)).status).toBe(401);

    await withStores((stores) => new TokenStore(stores).revoke(doomed.id, 'test'));
    let status: number | string = 200;
    // The server caches a verification for at most a second.
    for (let i = 0; i < 50 && status !== 401; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await predict(auth(doomed.token))).status;
    }
    expect(status).toBe(401);

    // Every bad token so far counted: after 20 per minute, the address must wait.
    const guesses: (number | string)[] = [];
    while (guesses.length < 25 && guesses.at(-1) !== 429) {
      guesses.push((await predict(auth(`fw_guess${guesses.length}`))).status);
    }
    expect(guesses.at(-1)).toBe(429);
    expect(new Set(guesses.slice(0, -1))).toEqual(new Set([401]));
    const blocked = await fetch(`${server.url}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      headers: { ...json, ...auth(tokens.deployer) },
      body: JSON.stringify({ row: row(0) }),
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);

  it('drains in-flight requests on SIGTERM, flushes the log and exits 0', async () => {
    const server = await startServer();
    let answered = 0;
    const outcomes = await load(
      server.url,
      (i) => predictShot(i, 2),
      {
        concurrency: 16,
        done: () => server.child.exitCode !== null || server.child.signalCode !== null,
      },
      (o) => {
        if (o.status === 200 && ++answered === 200) server.child.kill('SIGTERM');
      },
    );
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('stopped');
    const statuses = new Set(
      outcomes.map((o) => (typeof o.status === 'number' ? o.status : 'network')),
    );
    expect([...statuses].filter((s) => s !== 200 && s !== 503 && s !== 'network')).toEqual([]);
    const logged = await loggedIds();
    expect(predictionIds(outcomes).filter((id) => !logged.has(id))).toEqual([]);
  }, 60_000);

  it('refuses to listen beyond loopback with auth off', async () => {
    const child = spawn(
      process.execPath,
      [...entry, '--auth', 'off', '--host', '0.0.0.0', '--port', '0'],
      { cwd: projectDir, env: { ...process.env, FLYWHEEL_STORE: '' } },
    );
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('refusing to listen on 0.0.0.0 with --auth off');
  }, 30_000);
});
