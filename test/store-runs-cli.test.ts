/**
 * `flywheel runs list|show`: a thin layer over the store; tables for people,
 * JSON for programs, NOT_FOUND for an unknown id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsCommand } from '../src/cli/commands/runs.js';
import { FlywheelError } from '../src/errors.js';
import { openStore, type Run, RunTracker, resolveStoreLocation } from '../src/store/index.js';

let dir: string;
let runs: Run[];
const storeArg = () => `sqlite:${join(dir, 'cli.db')}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flywheel-runs-cli-'));
  const stores = await openStore(
    resolveStoreLocation({ specDir: dir, env: { FLYWHEEL_STORE: storeArg() } }),
  );
  let t = Date.parse('2025-03-01T10:00:00Z');
  const now = () => {
    t += 1500;
    return new Date(t);
  };
  const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts, now });
  const train = await tracker.startRun({ kind: 'train', seed: 42, params: { depth: 6 } });
  await tracker.logMetric(train.id, 'auc', 0.8, 0);
  await tracker.logMetric(train.id, 'auc', 0.9125, 1);
  await tracker.logMetric(train.id, 'loss', Number.NaN, 1);
  await tracker.logArtifact(train.id, 'model.json', Buffer.from('{}'), {
    mediaType: 'application/json',
  });
  await tracker.finishRun(train.id, 'FINISHED');
  const evaluate = await tracker.startRun({ kind: 'evaluate', parentRunId: train.id });
  runs = [train, evaluate];
  await stores.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `runs <args>` against the test store and returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const command = runsCommand({
    openStoreForCli: ({ store }) =>
      openStore(resolveStoreLocation({ specDir: dir, env: { FLYWHEEL_STORE: store } })),
    print: (text) => printed.push(text),
  });
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(command);
  await command.parseAsync([...args, '--store', storeArg()], { from: 'user' });
  return printed.join('\n');
}

describe('flywheel runs', () => {
  it('lists runs newest first as an aligned table', async () => {
    const lines = (await cli('list')).split('\n');
    expect(lines[0]).toMatch(/^id\s+kind\s+status\s+started\s+duration\s+seed\s+code$/);
    expect(lines[1]).toMatch(/^-+ {2}-+/);
    expect(lines[2]).toContain(runs[1]!.id);
    expect(lines[2]).toMatch(/evaluate\s+RUNNING/);
    expect(lines[3]).toMatch(
      new RegExp(`^${runs[0]!.id}\\s+train\\s+FINISHED\\s+\\S+\\s+\\d+\\.\\ds\\s+42`),
    );
    expect(lines[2]!.indexOf('RUNNING')).toBe(lines[3]!.indexOf('FINISHED'));
  });

  it('filters by kind and status, limits, and prints JSON', async () => {
    const parse = async (...args: string[]) =>
      (JSON.parse(await cli('list', '--json', ...args)) as { runs: Run[] }).runs.map((r) => r.id);
    expect(await parse()).toEqual([runs[1]!.id, runs[0]!.id]);
    expect(await parse('--kind', 'train')).toEqual([runs[0]!.id]);
    expect(await parse('--status', 'RUNNING')).toEqual([runs[1]!.id]);
    expect(await parse('--limit', '1')).toEqual([runs[1]!.id]);
    expect(await cli('list', '--kind', 'nothing')).toBe('no runs');
  });

  it('shows one run with its latest metrics and its artifacts', async () => {
    const text = await cli('show', runs[0]!.id);
    expect(text).toMatch(/^id\s+\S+/);
    expect(text).toMatch(/status\s+FINISHED/);
    expect(text).toMatch(/seed\s+42/);
    expect(text).toMatch(/params\s+\{"depth":6\}/);
    expect(text).toMatch(/auc\s+0\.9125\s+1\s+2/);
    expect(text).toMatch(/loss\s+NaN\s+1\s+1/);
    expect(text).toMatch(/model\.json\s+[0-9a-f]{64}\s+2\s+application\/json/);

    const json = JSON.parse(await cli('show', runs[0]!.id, '--json'));
    expect(json.run).toMatchObject({ id: runs[0]!.id, status: 'FINISHED', seed: 42 });
    expect(json.metrics).toHaveLength(3);
    expect(json.metrics.find((m: { key: string }) => m.key === 'loss').value).toBe('NaN');
    expect(json.artifacts[0]).toMatchObject({ name: 'model.json', size: 2 });
  });

  it('reports an unknown id as NOT_FOUND', async () => {
    const err = await cli('show', 'no-such-run').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('NOT_FOUND');
  });

  it.each([
    [['list', '--limit', 'ten']],
    [['list', '--limit', '0']],
    [['list', '--status', 'DONE']],
    [['show']],
  ])('rejects bad usage %j before touching the store', async (args) => {
    const err = await cli(...args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
  });
});
