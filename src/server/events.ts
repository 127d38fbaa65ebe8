/**
 * Where the server hands what it stored to an event feed (NATS, see
 * src/pipeline/event-publishing.ts): labels once committed; and the feed's
 * counts for /metrics.
 */
import type { LabelWrite } from '../store/index.js';

export interface ServerEventSink {
  /** Labels the feedback route committed, each with its prediction's model version. */
  feedback(labels: readonly (LabelWrite & { readonly modelVersion: string })[]): void;
  /** Events published and failed since start. */
  stats(): { published: number; failed: number };
}
