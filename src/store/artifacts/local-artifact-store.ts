/**
 * LocalArtifactStore: artifacts as files under `<root>/sha256/ab/cdef…`
 * (git-style fan-out on the first byte). Writes are atomic and durable; reads
 * re-hash the content, and every resolved path must stay under the root, so a
 * symlink planted inside the store cannot lead out of it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { FlywheelError } from '../../errors.js';
import {
  type ArtifactRef,
  type ArtifactSource,
  type ArtifactStore,
  assertSha256,
} from './artifact-store.js';
import { commitTemp, mkdirDurable, TEMP_PREFIX, writeTemp } from './atomic-write.js';

const isMissing = (err: unknown) => (err as { code?: unknown } | null)?.code === 'ENOENT';

/**
 * Content-addressed files in a local directory.
 *
 * @example
 * const artifacts = new LocalArtifactStore('/project/.flywheel/artifacts');
 * const { sha256 } = await artifacts.put(Buffer.from('model bytes'));
 * const bytes = await artifacts.get(sha256); // verified against sha256
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = root;
    this.description = `file:${root}`;
  }

  /** The file an artifact lives in (after validating the key). */
  pathFor(sha256: string): string {
    assertSha256(sha256);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }

  async put(source: ArtifactSource): Promise<ArtifactRef> {
    if (source instanceof Uint8Array) {
      const sha256 = createHash('sha256').update(source).digest('hex');
      const finalPath = this.pathFor(sha256);
      const dir = await this.#ensureDir(join(this.root, 'sha256', sha256.slice(0, 2)));
      if (await this.#holdsValidCopy(sha256, source.byteLength)) {
        return { sha256, size: source.byteLength };
      }
      const temp = await writeTemp(dir, source);
      await commitTemp(temp.path, finalPath);
      return { sha256, size: temp.size };
    }
    const staging = await this.#ensureDir(join(this.root, 'tmp'));
    const temp = await writeTemp(staging, source);
    const ref = { sha256: temp.sha256, size: temp.size };
    if (await this.#holdsValidCopy(ref.sha256, ref.size)) {
      await rm(temp.path, { force: true });
      return ref;
    }
    await this.#ensureDir(join(this.root, 'sha256', ref.sha256.slice(0, 2)));
    await commitTemp(temp.path, this.pathFor(ref.sha256));
    return ref;
  }

  async get(sha256: string, expected: { size?: number } = {}): Promise<Buffer> {
    const path = await this.#resolveInside(this.pathFor(sha256));
    if (path === undefined) throw notFound(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (isMissing(err)) throw notFound(sha256);
      throw err;
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      const truncated = expected.size !== undefined && bytes.byteLength < expected.size;
      throw new FlywheelError(
        'ARTIFACT_CORRUPT',
        `artifact sha256:${sha256} is corrupt: ` +
          (truncated
            ? `truncated to ${bytes.byteLength} of ${expected.size} bytes`
            : `its ${bytes.byteLength} bytes hash to ${actual}`),
        {
          details: { sha256, actualSha256: actual, size: bytes.byteLength },
          hint: 'restore it from a backup or re-run the step that produced it',
        },
      );
    }
    return bytes;
  }

  async localPath(sha256: string): Promise<string> {
    const path = await this.#resolveInside(this.pathFor(sha256));
    if (path === undefined) throw notFound(sha256);
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (err) {
      if (isMissing(err)) throw notFound(sha256);
      throw err;
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new FlywheelError(
        'ARTIFACT_CORRUPT',
        `artifact sha256:${sha256} is corrupt: its bytes hash to ${actual}`,
        {
          details: { sha256, actualSha256: actual },
          hint: 'restore it from a backup or re-run the step that produced it',
        },
      );
    }
    return path;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async stat(sha256: string): Promise<ArtifactRef | undefined> {
    const path = await this.#resolveInside(this.pathFor(sha256));
    if (path === undefined) return undefined;
    const info = await stat(path);
    return info.isFile() ? { sha256, size: info.size } : undefined;
  }

  /** Deletes temp files older than `maxAgeMs` left behind by crashed writers. */
  async removeStaleTemp(maxAgeMs = 24 * 3600_000): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    const dirs = [join(this.root, 'tmp')];
    const fanOut = await readdir(join(this.root, 'sha256')).catch(() => [] as string[]);
    for (const name of fanOut)
      if (/^[0-9a-f]{2}$/.test(name)) dirs.push(join(this.root, 'sha256', name));
    let removed = 0;
    for (const dir of dirs) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const path = join(dir, name);
        const info = await lstat(path).catch(() => undefined);
        if (info?.isFile() && info.mtimeMs < cutoff) {
          await rm(path, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  /** True when a file with the right size and hash is already stored. */
  async #holdsValidCopy(sha256: string, size: number): Promise<boolean> {
    const existing = await this.stat(sha256);
    if (existing?.size !== size) return false;
    try {
      await this.get(sha256);
      return true;
    } catch (err) {
      if (err instanceof FlywheelError && err.code === 'ARTIFACT_CORRUPT') return false;
      throw err;
    }
  }

  async #ensureDir(dir: string): Promise<string> {
    await mkdirDurable(dir);
    await this.#resolveInside(dir);
    return dir;
  }

  /**
   * The real path of `path` if it exists, `undefined` if it does not, and
   * INVALID_PATH if symlinks take it outside the store root.
   */
  async #resolveInside(path: string): Promise<string | undefined> {
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const root = await realpath(this.root);
    if (real !== root && !real.startsWith(root + sep)) {
      throw new FlywheelError('INVALID_PATH', 'artifact path resolves outside the store');
    }
    return real;
  }
}

function notFound(sha256: string): FlywheelError {
  return new FlywheelError('NOT_FOUND', `artifact sha256:${sha256} not found`, {
    details: { sha256 },
  });
}
