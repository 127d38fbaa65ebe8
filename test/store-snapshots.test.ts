/**
 * Dataset snapshots in the stores, on every metadata engine (SQLite always,
 * PostgreSQL on the real server, skipped with the reason when unreachable):
 * idempotent recording, lookup by id or prefix with clear errors, listing per
 * project newest first; and the artifact store's `localPath`, which hands
 * DuckDB a file only after verifying its content.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import {
  LocalArtifactStore,
  openStore,
  type SnapshotRecord,
  STORE_ENGINES,
  type Stores,
} from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

const harnesses: StoreHarness[] = [sqliteHarness(), await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Expects `promise` to reject with a FlywheelError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  expect((err as FlywheelError).code).toBe(code);
  return err as FlywheelError;
}

function snapshot(id: string, overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    id,
    project: 'churn',
    createdAt: '2025-03-01T10:00:00.000Z',
    rows: 1000,
    size: 4096,
    manifestSha256: sha(`manifest of ${id}`),
    specHash: sha('spec'),
    origin: 'sources',
    parentId: null,
    ...overrides,
  };
}

describe('snapshot store coverage', () => {
  it('runs on every registered engine', () => {
    expect(harnesses.map((h) => h.engine).sort()).toEqual([...STORE_ENGINES].sort());
  });
});

for (const harness of harnesses) {
  if (harness.skipReason)
    console.warn(`[store snapshots] ${harness.engine} SKIPPED: ${harness.skipReason}`);
  const title = harness.skipReason
    ? `snapshots on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `snapshots on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => snapshotSuite(harness));
}

function snapshotSuite(harness: StoreHarness): void {
  async function withStore(fn: (s: Stores) => Promise<void>) {
    const stores = await openStore(await harness.fresh());
    try {
      await fn(stores);
    } finally {
      await stores.close();
    }
  }

  it('records a snapshot once: the same id again returns the stored record, unchanged', async () => {
    await withStore(async ({ metadata }) => {
      const first = snapshot(sha('rows v1'), { parentId: sha('rows v0'), size: 5_000_000_000 });
      const inserted = await metadata.insertSnapshot(first);
      expect(inserted).toEqual({ record: first, created: true });
      const again = await metadata.insertSnapshot({
        ...first,
        project: 'other',
        createdAt: '2025-04-01T00:00:00.000Z',
        specHash: sha('another spec'),
      });
      expect(again).toEqual({ record: first, created: false });
      expect(await metadata.getSnapshot(first.id)).toEqual(first);
      expect(await metadata.listSnapshots()).toEqual([first]);
    });
  });

  it('returns the record as stored, its time normalised to UTC', async () => {
    await withStore(async ({ metadata }) => {
      const id = sha('rows v2');
      const { record } = await metadata.insertSnapshot(
        snapshot(id, { createdAt: '2025-03-01T12:00:00+02:00' }),
      );
      const stored = await metadata.getSnapshot(id);
      expect(stored.createdAt).toBe('2025-03-01T10:00:00.000Z');
      expect(record).toEqual(stored);
      await rejectsWith(
        metadata.insertSnapshot(snapshot(sha('rows v3'), { createdAt: 'yesterday' })),
        'USAGE',
      );
    });
  });

  it('records a snapshot once when several openers of the same store race to insert it', async () => {
    const location = await harness.fresh();
    const opened = await Promise.all([1, 2, 3, 4].map(() => openStore(location)));
    try {
      const s = snapshot(sha('rows raced across connections'));
      const results = await Promise.allSettled(opened.map((o) => o.metadata.insertSnapshot(s)));
      expect(results.map((r) => r.status)).toEqual(results.map(() => 'fulfilled'));
      const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(values.filter((r) => r.created)).toHaveLength(1);
      expect(await opened[0]!.metadata.listSnapshots()).toEqual([s]);
    } finally {
      await Promise.all(opened.map((o) => o.close()));
    }
  });

  it('finds a snapshot by its id or any prefix of 4 or more characters', async () => {
    await withStore(async ({ metadata }) => {
      const s = snapshot(sha('rows v1'));
      await metadata.insertSnapshot(s);
      await metadata.insertSnapshot(snapshot(sha('unrelated rows')));
      for (const n of [4, 5, 12, 63, 64])
        expect(await metadata.getSnapshot(s.id.slice(0, n)), `prefix of ${n}`).toEqual(s);
    });
  });

  it('reports an unknown id as NOT_FOUND, with a hint', async () => {
    await withStore(async ({ metadata }) => {
      const err = await rejectsWith(metadata.getSnapshot(sha('never stored')), 'NOT_FOUND');
      expect(err.message).toContain(sha('never stored'));
      expect(err.hint).toContain('flywheel data snapshots');
      await metadata.insertSnapshot(snapshot(`abcd${'0'.repeat(60)}`));
      await rejectsWith(metadata.getSnapshot('abce'), 'NOT_FOUND');
      await rejectsWith(metadata.getSnapshot(`abcd${'0'.repeat(59)}1`), 'NOT_FOUND');
    });
  });

  it('refuses an ambiguous prefix with USAGE, and a longer one resolves it', async () => {
    await withStore(async ({ metadata }) => {
      const a = snapshot(`abcd1${'0'.repeat(59)}`);
      const b = snapshot(`abcd2${'0'.repeat(59)}`);
      await metadata.insertSnapshot(a);
      await metadata.insertSnapshot(b);
      const err = await rejectsWith(metadata.getSnapshot('abcd'), 'USAGE');
      expect(err.message).toContain('ambiguous');
      expect(await metadata.getSnapshot('abcd1')).toEqual(a);
      expect(await metadata.getSnapshot('abcd2')).toEqual(b);
    });
  });

  it('refuses a malformed id with USAGE before querying (no LIKE wildcards get through)', async () => {
    await withStore(async ({ metadata }) => {
      await metadata.insertSnapshot(snapshot(`abcd${'0'.repeat(60)}`));
      for (const bad of [
        '',
        'abc',
        'ABCD',
        `abcd${'0'.repeat(61)}`,
        'abcg',
        'ab%',
        'abcd%',
        'ab__',
        '____',
        "abcd' OR '1'='1",
        ' abcd',
      ]) {
        const err = await rejectsWith(metadata.getSnapshot(bad), 'USAGE');
        expect(err.message, JSON.stringify(bad)).toContain('4 to 64 lowercase hexadecimal');
      }
    });
  });

  it('lists the snapshots of a project, newest first, up to a limit', async () => {
    await withStore(async ({ metadata }) => {
      const at = (day: number) => `2025-03-${String(day).padStart(2, '0')}T10:00:00.000Z`;
      const churn = [3, 1, 4, 2].map((day) =>
        snapshot(sha(`churn ${day}`), { createdAt: at(day) }),
      );
      const other = snapshot(sha('other'), { project: 'fraud', createdAt: at(5) });
      for (const s of [...churn, other]) await metadata.insertSnapshot(s);

      const listed = await metadata.listSnapshots({ project: 'churn' });
      expect(listed.map((s) => s.createdAt)).toEqual([at(4), at(3), at(2), at(1)]);
      expect(listed).toEqual([...churn].sort((x, y) => y.createdAt.localeCompare(x.createdAt)));
      expect(await metadata.listSnapshots({ project: 'churn', limit: 2 })).toEqual(
        listed.slice(0, 2),
      );
      expect(await metadata.listSnapshots({ project: 'fraud' })).toEqual([other]);
      expect(await metadata.listSnapshots({ project: 'none' })).toEqual([]);
      expect((await metadata.listSnapshots()).map((s) => s.id)).toEqual([
        other.id,
        ...listed.map((s) => s.id),
      ]);
      await rejectsWith(metadata.listSnapshots({ limit: 0 }), 'USAGE');
    });
  });

  it('orders snapshots made at the same instant by id', async () => {
    await withStore(async ({ metadata }) => {
      const same = ['c', 'a', 'b'].map((x) => snapshot(sha(x)));
      for (const s of same) await metadata.insertSnapshot(s);
      expect((await metadata.listSnapshots({ project: 'churn' })).map((s) => s.id)).toEqual(
        same.map((s) => s.id).sort(),
      );
    });
  });

  it("the artifact store's localPath gives a verified file, and refuses a corrupt one", async () => {
    await withStore(async ({ artifacts }) => {
      const bytes = Buffer.from('PAR1 pretend parquet bytes PAR1');
      const ref = await artifacts.put(bytes);
      const file = await artifacts.localPath(ref.sha256);
      expect(await readFile(file)).toEqual(bytes);
      if (artifacts instanceof LocalArtifactStore) {
        expect(file).toBe(
          join(artifacts.root, 'sha256', ref.sha256.slice(0, 2), ref.sha256.slice(2)),
        );
      }

      const flipped = Buffer.from(bytes);
      flipped[10] = flipped[10]! ^ 0xff;
      await writeFile(file, flipped);
      const err = await rejectsWith(artifacts.localPath(ref.sha256), 'ARTIFACT_CORRUPT');
      expect(err.message).toContain(ref.sha256);

      await writeFile(file, bytes);
      expect(await artifacts.localPath(ref.sha256)).toBe(file);
      await truncate(file, 8);
      await rejectsWith(artifacts.localPath(ref.sha256), 'ARTIFACT_CORRUPT');

      await rm(file);
      await rejectsWith(artifacts.localPath(ref.sha256), 'NOT_FOUND');
      await rejectsWith(artifacts.localPath('../../etc/passwd'), 'INVALID_PATH');
      await rejectsWith(artifacts.localPath(ref.sha256.toUpperCase()), 'INVALID_PATH');
    });
  });
}
