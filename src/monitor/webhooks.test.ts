import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../store/index.js';
import { deliverAlert, type Webhook } from './webhooks.js';

const alert: AlertRecord = {
  id: 'a1',
  model: 'm',
  rule: 'feature_drift',
  subject: 'x',
  state: 'firing',
  severity: 'ticket',
  message: 'feature "x" drifted',
  evidence: { statistic: 0.3 },
  firstAt: '2026-01-01T00:00:00.000Z',
  lastAt: '2026-01-01T00:00:00.000Z',
  resolvedAt: null,
  deliveries: [],
};
const hook = (over: Partial<Webhook> = {}): Webhook => ({
  url: 'https://hooks.example/secret-token',
  timeout_ms: 1000,
  retries: 2,
  on: ['firing', 'resolved'],
  ...over,
});

/** A fetch that answers with the given statuses in turn, recording the calls. */
function fakeFetch(statuses: (number | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) throw next;
    return new Response(null, { status: next });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('deliverAlert', () => {
  it('retries a failing webhook with backoff, then records the success', async () => {
    const { fn, calls } = fakeFetch([503, new TypeError('fetch failed'), 204]);
    const [d] = await deliverAlert(alert, [hook()], { fetch: fn, backoffMs: 1 });
    expect(d).toMatchObject({ webhook: 0, state: 'firing', ok: true, status: 204, attempts: 3 });
    expect(calls).toHaveLength(3);
    expect(calls[0]!.init.redirect).toBe('error');
    expect(JSON.parse(String(calls[0]!.init.body))).toMatchObject({
      source: 'flywheel',
      alert: { id: 'a1', rule: 'feature_drift', subject: 'x', state: 'firing' },
    });
    expect(JSON.stringify(d)).not.toContain('secret-token'); // recorded by index, not URL
  });

  it('does not retry a client error, and gives up after the configured retries', async () => {
    const bad = fakeFetch([400]);
    const [d1] = await deliverAlert(alert, [hook()], { fetch: bad.fn, backoffMs: 1 });
    expect(d1).toMatchObject({ ok: false, status: 400, attempts: 1, error: 'HTTP 400' });
    const down = fakeFetch([500, 500, 500, 500]);
    const [d2] = await deliverAlert(alert, [hook({ retries: 2 })], {
      fetch: down.fn,
      backoffMs: 1,
    });
    expect(d2).toMatchObject({ ok: false, attempts: 3 });
    expect(down.calls).toHaveLength(3);
  });

  it('sends only the transitions a webhook asks for', async () => {
    const { fn, calls } = fakeFetch([]);
    const resolved = { ...alert, state: 'resolved' as const };
    expect(await deliverAlert(resolved, [hook({ on: ['firing'] })], { fetch: fn })).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});
