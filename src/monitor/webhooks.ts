/**
 * Alert delivery: a JSON POST to each webhook the spec configures, with a
 * timeout and retries (exponential backoff). Only the spec's URLs are ever
 * called, never one taken from data; a URL's query string and credentials
 * stay out of what is recorded (webhooks are named by their index).
 */
import type { AlertRecord } from '../store/index.js';
import type { MonitorSettings } from './types.js';

export type Webhook = MonitorSettings['webhooks'][number];

/** The outcome of delivering one transition to one webhook. */
export interface Delivery {
  /** The webhook's index in `monitor.webhooks`. */
  readonly webhook: number;
  readonly state: 'firing' | 'resolved';
  readonly ok: boolean;
  readonly status: number | null;
  readonly attempts: number;
  readonly at: string;
  readonly error?: string;
}

/** What is POSTed. */
export function alertPayload(alert: AlertRecord): Record<string, unknown> {
  return {
    source: 'flywheel',
    alert: {
      id: alert.id,
      model: alert.model,
      rule: alert.rule,
      subject: alert.subject,
      state: alert.state,
      severity: alert.severity,
      message: alert.message,
      since: alert.firstAt,
      resolvedAt: alert.resolvedAt,
      evidence: alert.evidence,
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `alert`'s current state to every webhook that wants it.
 *
 * @example
 * const deliveries = await deliverAlert(alert, settings.webhooks);
 */
export async function deliverAlert(
  alert: AlertRecord,
  webhooks: readonly Webhook[],
  options: { fetch?: typeof fetch; backoffMs?: number } = {},
): Promise<Delivery[]> {
  const send = options.fetch ?? fetch;
  const backoff = options.backoffMs ?? 200;
  const body = JSON.stringify(alertPayload(alert));
  const deliveries: Delivery[] = [];
  for (const [index, hook] of webhooks.entries()) {
    if (!hook.on.includes(alert.state)) continue;
    let attempts = 0;
    let status: number | null = null;
    let error: string | undefined;
    let ok = false;
    while (attempts <= hook.retries && !ok) {
      if (attempts > 0) await sleep(backoff * 2 ** (attempts - 1));
      attempts++;
      try {
        const response = await send(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'flywheel-alerts' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(hook.timeout_ms),
        });
        status = response.status;
        await response.body?.cancel().catch(() => undefined);
        ok = response.ok;
        error = ok ? undefined : `HTTP ${response.status}`;
        // A client error will not get better by retrying.
        if (!ok && response.status >= 400 && response.status < 500 && response.status !== 429)
          break;
      } catch (err) {
        const e = err as Error;
        error = e.name === 'TimeoutError' ? `no answer within ${hook.timeout_ms} ms` : e.name;
      }
    }
    deliveries.push({
      webhook: index,
      state: alert.state,
      ok,
      status,
      attempts,
      at: new Date().toISOString(),
      ...(error === undefined ? {} : { error }),
    });
  }
  return deliveries;
}
