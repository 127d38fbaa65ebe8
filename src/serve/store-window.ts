/**
 * A version's canary window read from the store instead of one process's
 * memory, so the leader judges the canary on the traffic of every replica:
 * requests and failures from `serving_minutes` (every replica's counts, by
 * minute), latency and scores from the newest predictions in the log
 * (at most SCORE_SAMPLE_SIZE). `rows` counts successful requests.
 * Approximations, stated: the window starts at the minute `since` falls in;
 * latency is per logged row (a request's rows share its latency); counts
 * reach the store within a few seconds (their flush interval).
 */
import type { MetadataStore } from '../store/index.js';
import {
  histogramQuantile,
  LATENCY_BOUNDS_MS,
  latencyBucket,
  SCORE_SAMPLE_SIZE,
  type WindowSnapshot,
} from './version-window.js';

const MINUTE_MS = 60_000;

/**
 * @example
 * const w = await storeWindow(stores.metadata, 'churn@4', lastCheck, new Date());
 */
export async function storeWindow(
  metadata: Pick<MetadataStore, 'servingMinutes' | 'listPredictions'>,
  version: string,
  since: Date,
  until: Date,
): Promise<WindowSnapshot> {
  const from = new Date(Math.floor(since.getTime() / MINUTE_MS) * MINUTE_MS);
  const minutes = await metadata.servingMinutes([version], from.toISOString(), until.toISOString());
  const requests = minutes.reduce((s, m) => s + m.requests, 0);
  const errors = minutes.reduce((s, m) => s + m.errors, 0);
  const logged = await metadata.listPredictions({
    modelVersion: version,
    since,
    until,
    order: 'desc',
    limit: SCORE_SAMPLE_SIZE,
  });
  const latency = new Uint32Array(LATENCY_BOUNDS_MS.length);
  const scores: number[] = [];
  for (const p of logged) {
    if (p.latencyMs !== null && Number.isFinite(p.latencyMs))
      latency[latencyBucket(p.latencyMs)]!++;
    if (p.score !== null && Number.isFinite(p.score)) scores.push(p.score);
  }
  return {
    requests,
    errors,
    rows: requests - errors,
    p99Ms: histogramQuantile(latency, 0.99),
    scores: Float64Array.from(scores),
  };
}
