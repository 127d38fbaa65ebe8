/**
 * Durable file creation: write to a temp file, fsync it, rename it over the
 * final name, fsync the directory. A crash leaves either no file or the whole
 * file under its final name, never a partial one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactSource } from './artifact-store.js';

/** Prefix of temp files, so stale ones can be found and removed. */
export const TEMP_PREFIX = '.tmp-';

/** fsync a directory so a rename or creation inside it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p that also makes each newly created directory's entry durable. */
export async function mkdirDurable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === first) break;
  }
}

export interface TempFile {
  path: string;
  sha256: string;
  size: number;
}

/** Writes `source` to a new temp file in `dir`, fsynced, hashing as it goes. */
export async function writeTemp(dir: string, source: ArtifactSource): Promise<TempFile> {
  const path = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  const hash = createHash('sha256');
  const handle = await open(path, 'wx', 0o644);
  let size = 0;
  try {
    const chunks = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      let offset = 0;
      while (offset < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, offset);
        offset += bytesWritten;
      }
      size += bytes.byteLength;
    }
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw err;
  }
  await handle.close();
  return { path, sha256: hash.digest('hex'), size };
}

/** Moves a finished temp file to `finalPath` and makes the rename durable. */
export async function commitTemp(tempPath: string, finalPath: string): Promise<void> {
  try {
    await rename(tempPath, finalPath);
  } catch (err) {
    await rm(tempPath, { force: true });
    throw err;
  }
  await fsyncDir(dirname(finalPath));
}
