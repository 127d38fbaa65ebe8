/**
 * LocalArtifactStore: content addressing, atomic durable writes, verification
 * on read (corruption and truncation), and keys that can never become paths.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import { LocalArtifactStore } from '../src/store/index.js';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flywheel-artifacts-'));
  store = new LocalArtifactStore(join(dir, 'artifacts'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return (err as FlywheelError).code;
}

/** Every file under `root`, relative. */
function listFiles(root: string, prefix = ''): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(root, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('LocalArtifactStore', () => {
  it('stores bytes under sha256/ab/cdef… and reads them back', async () => {
    const bytes = Buffer.from('model weights v1');
    const ref = await store.put(bytes);
    expect(ref).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(listFiles(store.root)).toEqual([
      `sha256/${ref.sha256.slice(0, 2)}/${ref.sha256.slice(2)}`,
    ]);
    expect(await store.get(ref.sha256)).toEqual(bytes);
    expect(await store.has(ref.sha256)).toBe(true);
    expect(await store.stat(ref.sha256)).toEqual(ref);
  });

  it('streams large content through a staging file and dedupes identical content', async () => {
    const chunk = Buffer.alloc(1 << 20, 7);
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 5; i++) yield chunk;
      })(),
    );
    const ref = await store.put(stream);
    const whole = Buffer.concat(Array(5).fill(chunk));
    expect(ref).toEqual({ sha256: sha(whole), size: whole.length });
    expect(await store.put(whole)).toEqual(ref);
    expect(listFiles(store.root)).toHaveLength(1);
    expect((await store.get(ref.sha256)).equals(whole)).toBe(true);
  });

  it('reports absent artifacts as NOT_FOUND / undefined', async () => {
    const missing = sha(Buffer.from('never stored'));
    expect(await codeOf(store.get(missing))).toBe('NOT_FOUND');
    expect(await store.has(missing)).toBe(false);
    expect(await store.stat(missing)).toBeUndefined();
  });

  it('detects a flipped byte as ARTIFACT_CORRUPT naming the object', async () => {
    const ref = await store.put(Buffer.from('{"trees":[1,2,3]}'));
    const path = store.pathFor(ref.sha256);
    const bytes = await readFile(path);
    bytes[3] = bytes[3]! ^ 0xff;
    await writeFile(path, bytes);
    const err = await store.get(ref.sha256).catch((e: FlywheelError) => e);
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('ARTIFACT_CORRUPT');
    expect((err as FlywheelError).message).toContain(ref.sha256);
  });

  it('detects truncation, and says so when the expected size is known', async () => {
    const ref = await store.put(Buffer.alloc(4096, 1));
    await truncate(store.pathFor(ref.sha256), 1000);
    expect(await codeOf(store.get(ref.sha256))).toBe('ARTIFACT_CORRUPT');
    const err = (await store.get(ref.sha256, { size: ref.size }).catch((e) => e)) as FlywheelError;
    expect(err.code).toBe('ARTIFACT_CORRUPT');
    expect(err.message).toMatch(/truncated to 1000 of 4096 bytes/);
    // Appended garbage is caught too.
    appendFileSync(store.pathFor(ref.sha256), Buffer.alloc(5000));
    expect(await codeOf(store.get(ref.sha256))).toBe('ARTIFACT_CORRUPT');
  });

  it('repairs a corrupt object when the same content is put again', async () => {
    const bytes = Buffer.from('payload');
    const ref = await store.put(bytes);
    writeFileSync(store.pathFor(ref.sha256), 'paylOad');
    await store.put(bytes);
    expect(await store.get(ref.sha256)).toEqual(bytes);
  });

  it.each([
    ['../../etc/passwd'],
    ['..\\..\\windows\\win.ini'],
    ['%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['%252e%252e%252f'],
    ['/etc/passwd'],
    ['C:\\Windows\\system32'],
    ['a'.repeat(64).replace(/^a/, '.')],
    ['A'.repeat(64)],
    [`${'a'.repeat(64)};rm -rf /`],
    [`${'a'.repeat(63)}/`],
    [`${'a'.repeat(64)}\n`],
    [''],
  ])('rejects the key %j with INVALID_PATH, touching nothing', async (key) => {
    for (const op of [
      () => store.get(key),
      () => store.has(key),
      () => store.stat(key),
      async () => store.pathFor(key),
    ]) {
      const err = (await op().catch((e) => e)) as FlywheelError;
      expect(err).toBeInstanceOf(FlywheelError);
      expect(err.code).toBe('INVALID_PATH');
      if (key.length > 3) expect(err.message).not.toContain(key);
    }
    expect(existsSync(store.root)).toBe(false);
  });

  it('refuses to follow a symlink planted in the store out of it', async () => {
    const outside = join(dir, 'secret.txt');
    await writeFile(outside, 'secret');
    const key = sha(Buffer.from('secret'));
    const path = store.pathFor(key);
    await mkdir(dirname(path), { recursive: true });
    await symlink(outside, path);
    expect(await codeOf(store.get(key))).toBe('INVALID_PATH');
    expect(await codeOf(store.has(key))).toBe('INVALID_PATH');

    // A fan-out directory that is a symlink to elsewhere is refused for writes too.
    const bytes = Buffer.from('x');
    const fanOut = join(store.root, 'sha256', sha(bytes).slice(0, 2));
    await mkdir(join(dir, 'elsewhere'));
    await symlink(join(dir, 'elsewhere'), fanOut);
    expect(await codeOf(store.put(bytes))).toBe('INVALID_PATH');
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
  });

  it('leaves no temp files behind, and sweeps stale ones from crashed writers', async () => {
    const ref = await store.put(Buffer.from('a'));
    await store.put(Readable.from([Buffer.from('b')]));
    expect(listFiles(store.root).some((f) => f.includes('.tmp-'))).toBe(false);

    const fanOut = dirname(store.pathFor(ref.sha256));
    const stale = [join(fanOut, '.tmp-crashed'), join(store.root, 'tmp', '.tmp-crashed')];
    const fresh = join(fanOut, '.tmp-in-progress');
    for (const p of [...stale, fresh]) writeFileSync(p, 'partial');
    const old = new Date(Date.now() - 48 * 3600_000);
    for (const p of stale) utimesSync(p, old, old);
    expect(await store.removeStaleTemp()).toBe(2);
    expect(stale.map((p) => existsSync(p))).toEqual([false, false]);
    expect(existsSync(fresh)).toBe(true);
  });
});
