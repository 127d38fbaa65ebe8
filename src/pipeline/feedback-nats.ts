/**
 * Labels from a NATS JetStream subject (step 8 on a stream): each message
 * is a label, an array of labels, or `{"labels": [...]}`, keyed by
 * prediction id or by model, entity and event time, as `POST /v1/feedback`
 * takes them. A group of messages is stored in one transaction and acked
 * after the commit (at least once: labels are idempotent, so a redelivery
 * counts as duplicates). A message that can never be stored is terminated
 * with its reason; a store failure is nak'ed for redelivery.
 */
import type { JsMsg } from '@nats-io/jetstream';
import {
  addFeedbackReport,
  checkLabels,
  emptyFeedbackReport,
  type FeedbackReport,
  ingestFeedback,
} from '../feedback/index.js';
import type { Stores } from '../store/index.js';
import {
  closeJetStream,
  messageOf,
  openJetStream,
  pullGroups,
  retryDelayMs,
  terminate,
} from './jetstream.js';

export interface NatsFeedbackOptions {
  readonly servers: string;
  readonly stream: string;
  readonly subject: string;
  readonly durable?: string;
  /** Who sent the labels (one label per prediction and source). */
  readonly source?: string;
  /** A label observed longer than this after its prediction is late. */
  readonly lateAfterMs?: number;
  /** Most messages stored together (default 64). */
  readonly batch?: number;
  readonly signal?: AbortSignal;
  readonly onReady?: (ready: { stream: string; consumer: string }) => void;
  readonly onReport?: (report: NatsFeedbackBatch) => void;
  readonly onRejected?: (reason: string, subject: string) => void;
}

export interface NatsFeedbackBatch extends FeedbackReport {
  readonly messages: number;
  readonly acked: number;
  readonly rejected: number;
  readonly retried: number;
  readonly retryReason?: string;
}

const HINT = 'a message carries a label object, an array of labels, or {"labels": [ … ]}';

/** The labels of a message, or why it can never be stored (never echoing the payload). */
function labelsOf(msg: JsMsg): unknown[] | string {
  let payload: unknown;
  try {
    payload = JSON.parse(msg.string());
  } catch {
    return `the payload is not valid JSON; ${HINT}`;
  }
  const labels = Array.isArray(payload)
    ? payload
    : payload !== null && typeof payload === 'object' && 'labels' in payload
      ? (payload as { labels: unknown }).labels
      : [payload];
  if (!Array.isArray(labels) || labels.length === 0) return `no labels; ${HINT}`;
  const problems = checkLabels(labels);
  if (problems.length > 0) {
    const first = problems[0]!;
    return `${problems.length} problem(s) with the labels; first: label ${first.row}, ${first.field}: ${first.message}`;
  }
  return labels;
}

/**
 * Stores labels from `options.subject` until `options.signal` aborts.
 *
 * @example
 * await consumeFeedback(stores, { servers: 'nats://127.0.0.1:4222', stream: 'FLYWHEEL_FEEDBACK',
 *   subject: 'flywheel.labels', source: 'ops', signal: stop.signal });
 */
export async function consumeFeedback(
  stores: Stores,
  options: NatsFeedbackOptions,
): Promise<FeedbackReport & { messages: number; rejected: number; retried: number }> {
  const session = await openJetStream({ ...options, name: 'flywheel-feedback' });
  const totals = { messages: 0, rejected: 0, retried: 0, ...emptyFeedbackReport() };
  try {
    options.onReady?.({ stream: session.stream, consumer: session.durable });
    await pullGroups(session, options.batch ?? 64, options.signal, async (group) => {
      const good: { msg: JsMsg; labels: unknown[] }[] = [];
      let rejected = 0;
      for (const msg of group) {
        const labels = labelsOf(msg);
        if (typeof labels === 'string') {
          terminate(session, msg, labels);
          options.onRejected?.(labels, msg.subject);
          rejected++;
        } else good.push({ msg, labels });
      }
      let report: FeedbackReport | undefined;
      let retryReason: string | undefined;
      if (good.length > 0) {
        try {
          report = await ingestFeedback(
            stores,
            good.flatMap((g) => g.labels),
            {
              ...(options.source === undefined ? {} : { source: options.source }),
              ...(options.lateAfterMs === undefined ? {} : { lateAfterMs: options.lateAfterMs }),
            },
          );
          for (const g of good) g.msg.ack();
        } catch (err) {
          retryReason = messageOf(err);
          for (const g of good) g.msg.nak(retryDelayMs(g.msg.info.deliveryCount));
        }
      }
      const retried = retryReason === undefined ? 0 : good.length;
      const batch: NatsFeedbackBatch = {
        ...(report ?? emptyFeedbackReport()),
        messages: group.length,
        acked: report === undefined ? 0 : good.length,
        rejected,
        retried,
        ...(retryReason === undefined ? {} : { retryReason }),
      };
      totals.messages += group.length;
      totals.rejected += rejected;
      totals.retried += retried;
      addFeedbackReport(totals, batch);
      options.onReport?.(batch);
      return retried > 0 ? retryDelayMs(Math.max(...good.map((g) => g.msg.info.deliveryCount))) : 0;
    });
    return totals;
  } finally {
    await closeJetStream(session);
  }
}
