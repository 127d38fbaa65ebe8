/**
 * Which code made a run: Flywheel's package version (from the nearest
 * package.json above this module) and, when the package sits in a git
 * checkout, the commit. Either is `null` when it cannot be found.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CodeVersion {
  version: string | null;
  gitCommit: string | null;
}

let cached: Promise<CodeVersion> | undefined;

/**
 * Detects the code version once per process.
 *
 * @example
 * const { version, gitCommit } = await detectCodeVersion(); // { version: '0.1.0', gitCommit: null }
 */
export function detectCodeVersion(): Promise<CodeVersion> {
  cached ??= detect(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

async function detect(startDir: string): Promise<CodeVersion> {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const version = parseVersion(text);
      // Installed as a dependency, the enclosing checkout is the user's, not ours.
      const installed = dir.split(/[\\/]/).includes('node_modules');
      return { version, gitCommit: installed ? null : await gitCommit(dir) };
    }
    if (dirname(dir) === dir) return { version: null, gitCommit: null };
  }
}

function parseVersion(text: string): string | null {
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

function gitCommit(cwd: string): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      'git',
      ['rev-parse', 'HEAD'],
      { cwd, timeout: 3_000, windowsHide: true },
      (err, stdout) => {
        const commit = String(stdout).trim();
        done(!err && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null);
      },
    );
  });
}
