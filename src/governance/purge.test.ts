/**
 * Purge and the audit records, on every store engine (SQLite always,
 * PostgreSQL when reachable; skipped with the reason otherwise): only expired
 * prediction-log rows go, one audit record says so, a dry run changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  postgresHarness,
  type StoreHarness,
  sqliteHarness,
} from '../../test/fixtures/store/harness.js';
import { openStore, type Stores } from '../store/index.js';
import { recordGovernance } from './audit.js';
import type { Governance } from './policy.js';
import { purgeExpired } from './purge.js';

const harnesses: StoreHarness[] = [sqliteHarness(), await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

const NOW = new Date('2025-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

for (const harness of harnesses) {
  const title = harness.skipReason
    ? `governance on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `governance on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => {
    async function withStore(fn: (s: Stores) => Promise<void>) {
      const stores = await openStore(await harness.fresh());
      try {
        await fn(stores);
      } finally {
        await stores.close();
      }
    }

    async function seed(stores: Stores) {
      await stores.metadata.logPredictions(
        [400, 91, 90.01, 89.99, 10, 0].map((age, i) => ({
          id: `p${i}`,
          at: daysAgo(age),
          modelVersion: 'churn@1',
          inputs: { tenure: i },
          score: 0.5,
        })),
      );
    }

    it('deletes only rows older than the retention period and audits it', async () => {
      await withStore(async (stores) => {
        await seed(stores);
        const result = await purgeExpired(stores.metadata, {
          retentionDays: 90,
          now: NOW,
          actor: 'dpo',
          dryRun: false,
        });
        expect(result.predictionLogRows).toBe(3);
        expect(result.cutoff).toBe(daysAgo(90).toISOString());
        const left = await stores.metadata.listPredictions();
        expect(left.map((p) => p.id)).toEqual(['p3', 'p4', 'p5']);
        const [audit] = await stores.metadata.listAudit({ action: 'governance.purge' });
        expect(audit).toMatchObject({
          id: result.auditId,
          actor: 'dpo',
          objectType: 'prediction_log',
          details: { retentionDays: 90, cutoff: result.cutoff, predictionLogRows: 3 },
        });
        // Nothing left to purge: zero rows, still audited.
        const again = await purgeExpired(stores.metadata, {
          retentionDays: 90,
          now: NOW,
          actor: 'dpo',
          dryRun: false,
        });
        expect(again.predictionLogRows).toBe(0);
        expect(await stores.metadata.listAudit({ action: 'governance.purge' })).toHaveLength(2);
      });
    });

    it('counts without deleting or auditing in a dry run', async () => {
      await withStore(async (stores) => {
        await seed(stores);
        const result = await purgeExpired(stores.metadata, {
          retentionDays: 30,
          now: NOW,
          actor: 'dpo',
          dryRun: true,
        });
        expect(result).toMatchObject({ predictionLogRows: 4, dryRun: true });
        expect(result.auditId).toBeUndefined();
        expect(await stores.metadata.countPredictions()).toBe(6);
        expect(await stores.metadata.listAudit({ action: 'governance.purge' })).toEqual([]);
      });
    });

    it('refuses a retention that is not a whole number of days', async () => {
      await withStore(async (stores) => {
        for (const retentionDays of [0, -1, 1.5, Number.NaN]) {
          await expect(
            purgeExpired(stores.metadata, { retentionDays, now: NOW, actor: 'dpo', dryRun: false }),
          ).rejects.toMatchObject({ code: 'USAGE' });
        }
        expect(await stores.metadata.listAudit()).toEqual([]);
      });
    });

    it('records the policy and what applying it did, never the salt', async () => {
      await withStore(async (stores) => {
        const governance = {
          pii: {
            email: { policy: 'hash' },
            card_number: { policy: 'drop' },
            country: { policy: 'allow', reason: 'coarse region only' },
          },
          salt: 'a-secret-salt-0123456789',
          consent: 'consent_marketing',
          retention_days: 730,
          roles: { read_pii: ['dpo'], register: ['ann'], deploy: ['ann', 'ops'] },
          scan_rows: 10_000,
        } as Governance;
        const records = await recordGovernance(stores.metadata, {
          actor: 'ann',
          snapshotId: 'snap1',
          governance,
          applied: {
            dropped: ['card_number'],
            hashed: ['email'],
            retentionCutoff: '2023-06-30T12:00:00.000Z',
            counts: { total: 100, kept: 80, withoutConsent: 15, pastRetention: 6 },
          },
        });
        expect(records.map((r) => r.action)).toEqual(['governance.policy', 'governance.apply']);
        const stored = await stores.metadata.listAudit({
          objectType: 'snapshot',
          objectId: 'snap1',
        });
        expect(stored).toHaveLength(2);
        const policy = stored.find((r) => r.action === 'governance.policy')!;
        expect(policy.details).toMatchObject({
          dropped: ['card_number'],
          hashed: ['email'],
          allowed: ['country'],
          saltSet: true,
          consent: { column: 'consent_marketing' },
          retentionDays: 730,
          roles: { read_pii: ['dpo'], register: ['ann'], deploy: ['ann', 'ops'] },
        });
        expect(JSON.stringify(stored)).not.toContain('a-secret-salt');
        const apply = stored.find((r) => r.action === 'governance.apply')!;
        expect(apply.details).toMatchObject({
          rows: 100,
          kept: 80,
          withoutConsent: 15,
          pastRetention: 6,
        });
      });
    });
  });
}
