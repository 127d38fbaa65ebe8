/**
 * Governance end to end, as a user runs it: the built `bin/flywheel.js` on the
 * customers example (`flywheel init --example customers`). The PII scan, the
 * block on an unhandled PII column, drop / hash / consent / retention in the
 * snapshot Parquet, the purge of expired prediction-log rows, and the audit
 * trail, which never holds the salt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  customersCsv,
  type GovernanceApplied,
  generateCustomers,
} from '../src/governance/index.js';
import { snapshotProject } from '../src/pipeline/index.js';
import {
  admitted,
  CUSTOMER_PII,
  copyProject,
  customersProject,
  entities,
  filesUnder,
  quote,
  rawPiiValues,
  sha256,
  snapshotFile,
  textValues,
  withDuck,
  withStore,
} from './fixtures/governance-project.js';
import { testDir } from './fixtures/tmp.js';

const bin = path.resolve('bin/flywheel.js');
const SALT = 'governance-test-salt-4f1c9a07';
const OTHER_SALT = 'a-different-salt-for-the-test-b3e8';
const ACTOR = 'dpo';
const DAY = 86_400_000;
const DROPPED = ['card_number', 'iban', 'ip_address', 'phone'];

function flywheel(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      CI: 'true',
      FLYWHEEL_STORE: '',
      FLYWHEEL_PII_SALT: SALT,
      FLYWHEEL_ACTOR: ACTOR,
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectNoStack(text: string) {
  expect(text).not.toMatch(/\n\s+at .*:\d+:\d+\)?/);
}

const work = testDir('fw-governance');
const example = path.join(work, 'customers');
/** The example table as `init` must write it: 20,000 rows, seed 7. */
const exampleRows = generateCustomers({ rows: 20_000, seed: 7 });
const exampleRaw = rawPiiValues(exampleRows);

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli/main.js')))
    throw new Error('run `npm run build` first (npm test does)');
  const r = flywheel(['init', 'customers', '--example', 'customers'], work);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

describe('flywheel governance scan', () => {
  it('finds the five PII columns by value with masked examples, and passes with the example policies', () => {
    expect(readFileSync(path.join(example, 'data', 'customers.csv'), 'utf8')).toBe(
      customersCsv(exampleRows),
    );
    const r = flywheel(['governance', 'scan', '--json'], example);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      matches: {
        column: string;
        kinds: string[];
        detectedBy: string[];
        isPii: boolean;
        examples: string[];
      }[];
      findings: {
        check: string;
        column?: string;
        severity: string;
        evidence?: { policy?: string };
      }[];
    };
    // exactly these columns, each with its kind: customer_id, signup_date,
    // country, plan, monthly_spend, tenure_months, support_tickets,
    // consent_marketing and churned are not flagged
    expect(Object.fromEntries(out.matches.map((m) => [m.column, m.kinds]))).toEqual(
      Object.fromEntries(Object.entries(CUSTOMER_PII).map(([c, kind]) => [c, [kind]])),
    );
    for (const m of out.matches) {
      expect(m.isPii, m.column).toBe(true);
      expect(m.detectedBy, m.column).toContain('value');
      expect(m.examples.length, m.column).toBeGreaterThan(0);
      for (const shown of m.examples) {
        expect(shown, m.column).toContain('*');
        // at most a first letter, a TLD, a few trailing digits, an IPv6 prefix
        for (const run of shown.match(/[A-Za-z0-9]+/g) ?? []) {
          expect(run.length, `${m.column}: ${shown}`).toBeLessThanOrEqual(4);
        }
        for (const raw of exampleRaw)
          expect(shown.includes(raw), `${m.column}: ${shown}`).toBe(false);
      }
    }
    expect(out.findings.filter((f) => f.severity === 'block')).toEqual([]);
    const policies = Object.fromEntries(
      out.findings
        .filter((f) => f.check === 'governance.pii')
        .map((f) => [f.column, f.evidence?.policy]),
    );
    expect(policies).toEqual({
      email: 'hash',
      phone: 'drop',
      card_number: 'drop',
      iban: 'drop',
      ip_address: 'drop',
    });

    const human = flywheel(['governance', 'scan'], example);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('ip_address');
    for (const raw of exampleRaw) expect(human.stdout.includes(raw), raw).toBe(false);
  });

  it('blocks scan and run with exit 3 when a PII column has no policy, before any training run', () => {
    const dir = copyProject(example, (spec) => {
      delete (spec.governance['pii'] as Record<string, unknown>)['phone'];
    });
    const scan = flywheel(['governance', 'scan', '--json'], dir);
    expect(scan.code).toBe(3);
    const findings = JSON.parse(scan.stdout).findings as {
      check: string;
      column: string;
      severity: string;
    }[];
    expect(findings.filter((f) => f.severity === 'block').map((f) => [f.check, f.column])).toEqual([
      ['governance.pii', 'phone'],
    ]);

    const run = flywheel(['run'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('GOVERNANCE_BLOCKED');
    expect(run.stderr).toMatch(/governance\.pii \(phone\)/);
    expect(run.stderr).toContain('governance.pii.phone');
    expectNoStack(run.stderr);
    const runs = flywheel(['runs', 'list', '--json'], dir);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout).runs).toEqual([]);
  });

  it('refuses a policy on a column the data lacks with exit 2 and a did-you-mean, running nothing', () => {
    const dir = copyProject(example, (spec) => {
      const pii = spec.governance['pii'] as Record<string, unknown>;
      pii['phnoe'] = pii['phone'];
      delete pii['phone'];
    });
    for (const args of [['governance', 'scan'], ['data', 'snapshot'], ['run']]) {
      const r = flywheel(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('governance.pii.phnoe');
      expect(r.stderr).toContain('did you mean "phone"?');
      expectNoStack(r.stderr);
    }
    expect(JSON.parse(flywheel(['data', 'snapshots', '--json'], dir).stdout)).toEqual([]);
    expect(JSON.parse(flywheel(['runs', 'list', '--json'], dir).stdout).runs).toEqual([]);
  });

  it('refuses hash without a salt with exit 2 and a hint; an unset or short salt is never echoed', () => {
    const dir = copyProject(example, (spec) => {
      delete spec.governance['salt'];
    });
    for (const args of [['data', 'snapshot'], ['run']]) {
      const r = flywheel(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      // names the field and the fix: a salt taken from an environment variable
      expect(r.stderr).toContain('governance.pii.email');
      expect(r.stderr).toContain('needs governance.salt');
      expect(r.stderr).toMatch(/environment variable|\$\{FLYWHEEL_PII_SALT\}/);
      expectNoStack(r.stderr);
    }
    expect(JSON.parse(flywheel(['data', 'snapshots', '--json'], dir).stdout)).toEqual([]);

    const withSalt = copyProject(example);
    const unset = flywheel(['data', 'snapshot'], withSalt, { FLYWHEEL_PII_SALT: undefined });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/\$\{FLYWHEEL_PII_SALT\} is not set/);
    const short = 'short-secret-15';
    const tooShort = flywheel(['data', 'snapshot'], withSalt, { FLYWHEEL_PII_SALT: short });
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('governance.salt');
    expect(tooShort.stdout + tooShort.stderr).not.toContain(short);
  });

  it('treats hash without a salt as a spec error in the scan too (exit 2), as snapshot and run do', () => {
    const dir = copyProject(example, (spec) => {
      delete spec.governance['salt'];
    });
    const r = flywheel(['governance', 'scan'], dir);
    expect(r.stderr).toContain('governance.salt');
    expect(r.code).toBe(2);
  });
});

describe('the snapshot of the customers example', () => {
  let snap: {
    snapshot: string;
    created: boolean;
    rows: number;
    blocking: number;
    lineage: {
      governance: {
        dropped: string[];
        hashed: string[];
        retentionCutoff: string;
        counts: { total: number; kept: number; withoutConsent: number; pastRetention: number };
      };
    };
  };

  beforeAll(() => {
    const r = flywheel(['data', 'snapshot', '--json'], example);
    expect(r.code).toBe(0);
    snap = JSON.parse(r.stdout);
  });

  it('has no dropped column, no raw PII value, and exactly the rows with consent', async () => {
    expect(snap.created).toBe(true);
    expect(snap.blocking).toBe(0);
    const listed = JSON.parse(flywheel(['data', 'snapshots', '--json'], example).stdout) as {
      id: string;
    }[];
    expect(listed.map((s) => s.id)).toEqual([snap.snapshot]);

    const { governance } = snap.lineage;
    expect([...governance.dropped].sort()).toEqual(DROPPED);
    expect(governance.hashed).toEqual(['email']);
    const expected = admitted(exampleRows, governance.retentionCutoff);
    const withoutConsent = exampleRows
      .filter((r) => !r.consent_marketing)
      .map((r) => r.customer_id);
    expect(withoutConsent.length).toBeGreaterThan(1000);
    expect(governance.counts).toMatchObject({
      total: 20_000,
      kept: expected.length,
      withoutConsent: withoutConsent.length,
    });
    expect(snap.rows).toBe(expected.length);

    const file = await snapshotFile(example, snap.snapshot);
    await withDuck(async (duck) => {
      const names = (await duck.columns(file)).map((c) => c.name);
      for (const dropped of DROPPED) expect(names).not.toContain(dropped);
      // the example keeps the hashed e-mail out of the features
      expect(names).not.toContain('email');
      const ids = await entities(duck, file);
      expect(ids).toEqual(expected);
      const refused = new Set(withoutConsent);
      expect(ids.filter((id) => refused.has(id))).toEqual([]);
      const leaked = (await textValues(duck, file)).filter((v) => exampleRaw.has(v));
      expect(leaked).toEqual([]);
    });
  });

  it('is audited as governance.policy and governance.apply, and nothing in the store holds the salt', async () => {
    const again = flywheel(['data', 'snapshot', '--json'], example);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ snapshot: snap.snapshot, created: false });

    await withStore(example, async (stores) => {
      const records = await stores.metadata.listAudit({ objectId: snap.snapshot });
      const policy = records.filter((a) => a.action === 'governance.policy');
      const apply = records.filter((a) => a.action === 'governance.apply');
      // once per snapshot: the unchanged second snapshot adds nothing
      expect(policy).toHaveLength(1);
      expect(apply).toHaveLength(1);
      expect(policy[0]).toMatchObject({ actor: ACTOR, objectType: 'snapshot' });
      const details = policy[0]!.details;
      expect([...(details['dropped'] as string[])].sort()).toEqual(DROPPED);
      expect(details).toMatchObject({
        hashed: ['email'],
        allowed: [],
        saltSet: true,
        consent: { column: 'consent_marketing' },
        retentionDays: 3650,
        roles: { read_pii: ['dpo'], register: ['ann', 'bob'], deploy: ['ann'] },
      });
      const scan = details['scan'] as Record<string, unknown>[];
      expect(scan.map((s) => s['column']).sort()).toEqual(Object.keys(CUSTOMER_PII).sort());
      for (const s of scan) expect(s).not.toHaveProperty('examples');

      const applied = apply[0]!.details;
      expect([...(applied['dropped'] as string[])].sort()).toEqual(DROPPED);
      expect(applied).toMatchObject({
        hashed: ['email'],
        rows: 20_000,
        kept: snap.rows,
        withoutConsent: snap.lineage.governance.counts.withoutConsent,
        retentionCutoff: snap.lineage.governance.retentionCutoff,
      });

      const all = JSON.stringify(await stores.metadata.listAudit({ limit: 1000 }));
      expect(all).not.toContain(SALT);
      for (const raw of ['@example.', ...[...exampleRaw].slice(0, 2000)]) {
        expect(all.includes(raw), raw).toBe(false);
      }
    });
    const salt = Buffer.from(SALT);
    for (const file of filesUnder(path.join(example, '.flywheel'))) {
      expect(readFileSync(file).includes(salt), file).toBe(false);
    }
  });
});

describe('hashing', () => {
  it('replaces each e-mail by sha256(salt ‖ value): the same salt gives the same snapshot, another salt other hashes', async () => {
    const keepEmail = {
      rows: 1500,
      seed: 5,
      edit: (spec: Record<string, unknown>) => {
        (spec['features'] as { exclude: string[] }).exclude = ['consent_marketing'];
      },
    };
    const a = customersProject(keepEmail);
    const a2 = customersProject(keepEmail);
    const b = customersProject(keepEmail);
    const snapshot = (dir: string, salt: string) => {
      const r = flywheel(['data', 'snapshot', '--json'], dir, { FLYWHEEL_PII_SALT: salt });
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).snapshot as string;
    };
    const [idA, idA2, idB] = [
      snapshot(a.dir, SALT),
      snapshot(a2.dir, SALT),
      snapshot(b.dir, OTHER_SALT),
    ];
    expect(idA2).toBe(idA);
    expect(idB).not.toBe(idA);

    const emails = new Map(a.rows.map((r) => [r.customer_id, r.email]));
    const raw = rawPiiValues(a.rows);
    const read = async (dir: string, id: string) => {
      const file = await snapshotFile(dir, id);
      return withDuck(async (duck) => {
        const rows = await duck.rows(
          `SELECT __entity AS id, email FROM read_parquet(${quote(file)}) ORDER BY __entity`,
        );
        const leaked = (await textValues(duck, file)).filter((v) => raw.has(v));
        expect(leaked).toEqual([]);
        return rows.map((r) => ({ id: String(r['id']), email: String(r['email']) }));
      });
    };
    const hashedA = await read(a.dir, idA);
    const hashedB = await read(b.dir, idB);
    expect(hashedA.map((r) => r.id)).toEqual(admitted(a.rows));
    expect(hashedB.map((r) => r.id)).toEqual(admitted(a.rows));
    for (const [i, row] of hashedA.entries()) {
      const email = emails.get(row.id)!;
      expect(row.email).toMatch(/^[0-9a-f]{64}$/);
      expect(row.email).toBe(sha256(SALT + email));
      expect(hashedB[i]!.email).toBe(sha256(OTHER_SALT + email));
      expect(hashedB[i]!.email).not.toBe(row.email);
    }
  });
});

describe('retention', () => {
  beforeAll(() => {
    vi.stubEnv('FLYWHEEL_PII_SALT', SALT);
    vi.stubEnv('FLYWHEEL_STORE', '');
    vi.stubEnv('FLYWHEEL_ACTOR', ACTOR);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('keeps rows before now − retention_days out of the snapshot (now pinned)', async () => {
    const { dir, rows } = customersProject({
      rows: 3000,
      seed: 11,
      edit: (spec) => {
        spec.governance['retention_days'] = 548;
      },
    });
    const report = await snapshotProject(dir, { now: new Date('2025-01-01T00:00:00Z') });
    const cutoff = '2023-07-03T00:00:00.000Z';
    const governance = report.lineage.governance as GovernanceApplied;
    expect(governance.retentionCutoff).toBe(cutoff);
    const old = rows.filter((r) => r.signup_date < '2023-07-03');
    expect(old.length).toBeGreaterThan(100);
    expect(governance.counts.pastRetention).toBe(old.length);
    const expected = admitted(rows, cutoff);
    // the boundary day itself is kept ("at or after")
    expect(rows.some((r) => r.signup_date === '2023-07-03' && r.consent_marketing)).toBe(true);
    expect(report.rows).toBe(expected.length);

    const file = await snapshotFile(dir, report.snapshot.id);
    await withDuck(async (duck) => {
      expect(await entities(duck, file)).toEqual(expected);
      const [earliest] = await duck.rows(
        `SELECT strftime(min(__event_time), '%Y-%m-%d') AS d FROM read_parquet(${quote(file)})`,
      );
      expect(earliest!['d']).toBe('2023-07-03');
      const stale = new Set(old.map((r) => r.customer_id));
      expect((await entities(duck, file)).filter((id) => stale.has(id))).toEqual([]);
    });
  });

  it('counts back from the current date through the CLI', async () => {
    const days = Math.floor((Date.now() - Date.parse('2024-01-01T00:00:00Z')) / DAY);
    const { dir, rows } = customersProject({
      rows: 3000,
      seed: 11,
      edit: (spec) => {
        spec.governance['retention_days'] = days;
      },
    });
    const before = Date.now();
    const r = flywheel(['data', 'snapshot', '--json'], dir);
    const after = Date.now();
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout);
    const cutoff = snap.lineage.governance.retentionCutoff as string;
    expect(Date.parse(cutoff)).toBeGreaterThanOrEqual(before - days * DAY);
    expect(Date.parse(cutoff)).toBeLessThanOrEqual(after - days * DAY);
    const expected = admitted(rows, cutoff);
    expect(expected.length).toBeLessThan(admitted(rows).length - 500);
    const file = await snapshotFile(dir, snap.snapshot);
    await withDuck(async (duck) => {
      expect(await entities(duck, file)).toEqual(expected);
    });
  });
});

describe('flywheel governance purge', () => {
  const AGES = [0.25, 5, 29, 31, 90, 400, 1000];
  const RETENTION = 30;

  async function logPredictions(dir: string, ages: readonly number[]) {
    const now = Date.now();
    await withStore(dir, (stores) =>
      stores.metadata.logPredictions(
        ages.map((age) => ({
          id: `age-${age}`,
          at: new Date(now - age * DAY),
          modelVersion: 'customers_churn@1',
          inputs: { plan: 'basic', tenure_months: 3 },
          score: 0.4,
        })),
      ),
    );
  }

  it('counts in a dry run, then deletes only the expired prediction-log rows and audits it', async () => {
    const { dir } = customersProject({
      rows: 200,
      seed: 3,
      edit: (spec) => {
        spec.governance['retention_days'] = RETENTION;
      },
    });
    await logPredictions(dir, AGES);
    const expired = AGES.filter((a) => a > RETENTION).map((a) => `age-${a}`);
    const kept = AGES.filter((a) => a <= RETENTION).map((a) => `age-${a}`);
    const state = () =>
      withStore(dir, async (stores) => ({
        ids: (await stores.metadata.listPredictions()).map((p) => p.id).sort(),
        purges: await stores.metadata.listAudit({ action: 'governance.purge' }),
      }));

    const before = Date.now();
    const dry = flywheel(['governance', 'purge', '--dry-run', '--json'], dir);
    expect(dry.code).toBe(0);
    const counted = JSON.parse(dry.stdout);
    expect(counted).toMatchObject({
      predictionLogRows: expired.length,
      dryRun: true,
      retentionDays: RETENTION,
    });
    expect(counted).not.toHaveProperty('auditId');
    expect(await state()).toEqual({ ids: [...expired, ...kept].sort(), purges: [] });

    const purge = flywheel(['governance', 'purge', '--json'], dir);
    const after = Date.now();
    expect(purge.code).toBe(0);
    const done = JSON.parse(purge.stdout);
    expect(done).toMatchObject({
      predictionLogRows: expired.length,
      dryRun: false,
      retentionDays: RETENTION,
    });
    expect(Date.parse(done.cutoff)).toBeGreaterThanOrEqual(before - RETENTION * DAY);
    expect(Date.parse(done.cutoff)).toBeLessThanOrEqual(after - RETENTION * DAY);
    const { ids, purges } = await state();
    expect(ids).toEqual([...kept].sort());
    expect(purges).toHaveLength(1);
    expect(purges[0]).toMatchObject({
      id: done.auditId,
      actor: ACTOR,
      objectType: 'prediction_log',
      details: { retentionDays: RETENTION, cutoff: done.cutoff, predictionLogRows: expired.length },
    });

    const human = flywheel(['governance', 'purge'], dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Deleted 0 prediction-log row\(s\)/);
    expect((await state()).ids).toEqual([...kept].sort());
  });

  it('refuses to purge with exit 2 when the spec sets no retention_days, deleting nothing', async () => {
    const { dir } = customersProject({
      rows: 200,
      seed: 3,
      edit: (spec) => {
        delete spec.governance['retention_days'];
      },
    });
    await logPredictions(dir, [400]);
    for (const args of [
      ['governance', 'purge'],
      ['governance', 'purge', '--dry-run'],
    ]) {
      const r = flywheel(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('governance.retention_days');
      expectNoStack(r.stderr);
    }
    await withStore(dir, async (stores) => {
      expect(await stores.metadata.countPredictions()).toBe(1);
      expect(await stores.metadata.listAudit({ action: 'governance.purge' })).toEqual([]);
    });
  });
});
