/**
 * Alerts as state: a firing condition opens an alert (one per rule, model
 * and subject at a time); while it keeps firing the same alert is updated,
 * never duplicated; when a rule that judged no longer fires it, the alert
 * resolves. Each transition (opened, resolved) is delivered to the
 * configured webhooks once, and the deliveries are stored with the alert.
 */
import { randomUUID } from 'node:crypto';
import type { AlertRecord, MetadataStore } from '../store/index.js';
import type { AlertCandidate, RuleOutcome } from './rules.js';
import type { Alert } from './types.js';
import { type Delivery, deliverAlert, type Webhook } from './webhooks.js';

export interface Transition {
  readonly alert: AlertRecord;
  readonly to: 'firing' | 'resolved';
}

const keyOf = (a: { rule: string; subject: string }) => `${a.rule}\u0000${a.subject}`;

/** The alert as reported. */
export function toAlert(r: AlertRecord): Alert {
  return {
    id: r.id,
    rule: r.rule,
    model: r.model,
    subject: r.subject,
    state: r.state,
    severity: r.severity,
    since: r.firstAt,
    lastSeen: r.lastAt,
    resolvedAt: r.resolvedAt,
    message: r.message,
    evidence: r.evidence,
  };
}

/**
 * Applies one evaluation to the stored alerts of `model` and delivers the
 * transitions. Returns them.
 *
 * @example
 * const changed = await applyOutcome(stores.metadata, 'flights_delay', evaluateRules(inputs), settings.webhooks);
 */
export async function applyOutcome(
  metadata: MetadataStore,
  model: string,
  outcome: RuleOutcome,
  webhooks: readonly Webhook[],
  options: { now?: Date; fetch?: typeof fetch; backoffMs?: number } = {},
): Promise<Transition[]> {
  const now = (options.now ?? new Date()).toISOString();
  const transitions = await metadata.transaction(async (tx) => {
    const open = new Map(
      (await tx.listAlerts({ model, state: 'firing', limit: 10_000 })).map((a) => [keyOf(a), a]),
    );
    const changed: Transition[] = [];
    const firingKeys = new Set<string>();
    for (const c of outcome.firing) {
      const key = keyOf(c);
      if (firingKeys.has(key)) continue;
      firingKeys.add(key);
      const existing = open.get(key);
      if (existing !== undefined) {
        await tx.updateAlert(existing.id, {
          lastAt: now,
          message: c.message,
          evidence: c.evidence,
        });
        continue;
      }
      const alert = newAlert(model, c, now);
      await tx.insertAlert(alert);
      changed.push({ alert, to: 'firing' });
    }
    for (const [key, alert] of open) {
      if (firingKeys.has(key) || !outcome.judged.has(alert.rule)) continue;
      await tx.updateAlert(alert.id, { state: 'resolved', resolvedAt: now, lastAt: now });
      changed.push({
        alert: { ...alert, state: 'resolved', resolvedAt: now, lastAt: now },
        to: 'resolved',
      });
    }
    return changed;
  });
  // Delivered after the commit: a slow webhook never holds the store.
  for (const t of transitions) {
    if (webhooks.length === 0) continue;
    const deliveries = await deliverAlert(t.alert, webhooks, options);
    const before = Array.isArray(t.alert.deliveries) ? (t.alert.deliveries as Delivery[]) : [];
    await metadata.updateAlert(t.alert.id, { deliveries: [...before, ...deliveries] });
  }
  return transitions;
}

function newAlert(model: string, c: AlertCandidate, now: string): AlertRecord {
  return {
    id: randomUUID(),
    model,
    rule: c.rule,
    subject: c.subject,
    state: 'firing',
    severity: c.severity,
    message: c.message,
    evidence: c.evidence,
    firstAt: now,
    lastAt: now,
    resolvedAt: null,
    deliveries: [],
  };
}
