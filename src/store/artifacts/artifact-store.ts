/**
 * The ArtifactStore port: immutable blobs addressed by their sha256. Keys are
 * validated as hex digests before anything else happens, so no caller-supplied
 * string ever becomes part of a path or object key. LocalArtifactStore is the
 * embedded adapter; an S3-compatible one implements the same interface.
 */
import { FlywheelError } from '../../errors.js';

/** What identifies a stored artifact. */
export interface ArtifactRef {
  /** Lowercase hex sha256 of the content. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** Bytes in memory, or a stream of chunks (a Node Readable qualifies). */
export type ArtifactSource = Uint8Array | AsyncIterable<Uint8Array | string>;

/** Content-addressed blob storage. */
export interface ArtifactStore {
  /** Where the artifacts are, for messages. */
  readonly description: string;
  /** Stores `source` (atomically; a no-op when already present) and returns its address. */
  put(source: ArtifactSource): Promise<ArtifactRef>;
  /**
   * Reads and verifies an artifact: NOT_FOUND when absent, ARTIFACT_CORRUPT when
   * its bytes no longer hash to `sha256` (or are shorter than `expected.size`).
   */
  get(sha256: string, expected?: { size?: number }): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  /**
   * A local file holding the verified artifact, for readers that need a path
   * (DuckDB reading a Parquet snapshot). NOT_FOUND / ARTIFACT_CORRUPT as `get`.
   */
  localPath(sha256: string): Promise<string>;
  /** Size of a stored artifact, or `undefined` when absent (content not verified). */
  stat(sha256: string): Promise<ArtifactRef | undefined>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True when `key` is a lowercase hex sha256 digest. */
export function isSha256(key: unknown): key is string {
  return typeof key === 'string' && SHA256_HEX.test(key);
}

/**
 * Rejects anything but a lowercase hex sha256 with INVALID_PATH. The key is not
 * echoed: it may be a path-traversal attempt or other hostile input.
 *
 * @example
 * assertSha256('../../etc/passwd'); // throws FlywheelError INVALID_PATH
 */
export function assertSha256(key: unknown): asserts key is string {
  if (!isSha256(key)) {
    throw new FlywheelError('INVALID_PATH', 'artifact key must be a sha256 digest', {
      hint: 'expected 64 lowercase hexadecimal characters',
    });
  }
}
