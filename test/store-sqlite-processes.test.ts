/**
 * SQLite across real processes: two writers on one file never see "database
 * is locked" and lose nothing; a writer SIGKILLed mid-burst leaves a database
 * that passes integrity_check and holds every batch it acknowledged, whole.
 * The children (test/fixtures/store/*.mjs) run the built code in dist/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/store/${name}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flywheel-sqlite-proc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('SQLite store across processes', () => {
  it('two processes writing thousands of transactions each: none locked out, none lost', async () => {
    const path = join(dir, 'concurrent.db');
    const perWriter = 3000;
    const results = await Promise.all(
      ['a', 'b'].map((label) =>
        run(
          spawn(process.execPath, [fixture('concurrent-writer.mjs'), path, label, `${perWriter}`]),
        ),
      ),
    );
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|busy/i);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }

    const db = new Database(path, { readonly: true });
    try {
      const count = (sql: string, ...args: unknown[]) =>
        (db.prepare(sql).get(...args) as { n: number }).n;
      for (const label of ['a', 'b']) {
        const third = perWriter / 3;
        expect(count('select count(*) n from prediction_log where model_version = ?', label)).toBe(
          third,
        );
        expect(count('select count(*) n from audit_log where actor = ?', label)).toBe(third);
        expect(
          count(
            `select count(*) n from run_metrics m join runs r on r.id = m.run_id
             where r.tags like ? and r.status = 'FINISHED'`,
            `%"label":"${label}"%`,
          ),
        ).toBe(third);
      }
      // The writers really overlapped: their appends interleave in the log.
      const actors = db.prepare('select actor from audit_log order by id').pluck().all();
      const switches = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
      expect(switches).toBeGreaterThan(10);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('SIGKILL mid-burst, 5 times over: integrity ok, every acknowledged batch present and whole', async () => {
    const path = join(dir, 'killed.db');
    const acknowledged: string[] = [];
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [fixture('burst-writer.mjs'), path, `${round}`]);
      const killAfter = 50 + Math.floor(Math.random() * 300);
      let buffer = '';
      let acks = 0;
      child.stdout.on('data', (data: Buffer) => {
        buffer += data.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'ready') continue;
          acknowledged.push(line);
          if (++acks === killAfter) {
            // Land the kill at a random point inside the next transactions.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 3);
          }
        }
      });
      const result = await run(child);
      expect(result.signal).toBe('SIGKILL');
      expect(result.stderr).toBe('');
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(250);

    const db = new Database(path);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('select id from prediction_log').pluck().all() as string[];
      const perBatch = new Map<string, number>();
      for (const id of rows) {
        const batch = id.slice(0, id.lastIndexOf('-'));
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      }
      const missing = acknowledged.filter((batch) => perBatch.get(batch) !== 5);
      expect(missing).toEqual([]);
      // No batch was half-written: each is all five rows or absent.
      expect([...perBatch.values()].every((n) => n === 5)).toBe(true);
    } finally {
      db.close();
    }

    const reopened = await openStore({ kind: 'sqlite', path, artifactDir: join(dir, 'a') });
    expect(await reopened.metadata.integrityCheck()).toEqual(['ok']);
    await reopened.metadata.logPredictions([{ modelVersion: 'after', inputs: {} }]);
    await reopened.close();
  });
});
