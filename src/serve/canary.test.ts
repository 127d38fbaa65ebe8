import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import {
  advanceCanary,
  analyseCanary,
  type CanaryPolicy,
  type CheckInput,
  DEFAULT_CANARY_POLICY,
  NO_PROGRESS,
} from './canary-analysis.js';
import { CanaryController, type EndCanaryRequest } from './canary-controller.js';
import { scorePsi } from './score-divergence.js';
import { VersionWindow, type WindowSnapshot } from './version-window.js';

interface Traffic {
  requests: number;
  errors?: number;
  latencyMs?: number;
  /** Shift of the scores (0: the champion's distribution). */
  shift?: number;
  seed?: number;
}

function window(t: Traffic): VersionWindow {
  const w = new VersionWindow();
  const rand = createRng(t.seed ?? 1);
  for (let i = 0; i < t.requests; i++) {
    const ok = i >= (t.errors ?? 0);
    const score = Math.min(1, Math.max(0, rand() * 0.6 + (t.shift ?? 0)));
    w.record(t.latencyMs ?? 2, ok, ok ? [score] : []);
  }
  return w;
}

const snap = (t: Traffic): WindowSnapshot => window(t).take();

function input(canary: Traffic, champion: Traffic, extra: Partial<CheckInput> = {}): CheckInput {
  return {
    at: new Date('2024-06-01T00:00:00Z'),
    name: 'churn',
    champion: 'churn@3',
    canary: 'churn@4',
    canaryWindow: snap(canary),
    championWindow: snap({ seed: 2, ...champion }),
    ...extra,
  };
}

const policy = DEFAULT_CANARY_POLICY;
const metric = (check: ReturnType<typeof analyseCanary>, name: string) =>
  check.metrics.find((m) => m.name === name)!;

describe('canary analysis: one check', () => {
  it('passes a canary that behaves like the champion', () => {
    const check = analyseCanary(input({ requests: 200 }, { requests: 2000 }), policy);
    expect(check.verdict).toBe('pass');
    expect(metric(check, 'success_rate')).toMatchObject({ canary: 1, passed: true });
    expect(metric(check, 'score_psi').passed).toBe(true);
  });

  it('holds with too little canary traffic, whatever else it sees', () => {
    const check = analyseCanary(input({ requests: 99, errors: 50 }, { requests: 2000 }), policy);
    expect(check.verdict).toBe('hold');
    expect(check.reason).toMatch(/99 of 100 requests/);
  });

  it('fails a success rate below 99%', () => {
    const check = analyseCanary(input({ requests: 200, errors: 3 }, { requests: 2000 }), policy);
    expect(check.verdict).toBe('fail');
    expect(metric(check, 'success_rate')).toMatchObject({ canary: 0.985, passed: false });
    expect(check.reason).toMatch(/success_rate 0.985 < 0.99/);
  });

  it('holds p99 to the latency budget when there is one, else to 1.5× the champion', () => {
    const slow = { requests: 200, latencyMs: 12 };
    const withBudget = analyseCanary(
      input(slow, { requests: 2000, latencyMs: 10 }, { latencyBudgetP99Ms: 10 }),
      policy,
    );
    expect(withBudget.verdict).toBe('fail');
    expect(metric(withBudget, 'latency_p99_ms')).toMatchObject({ threshold: 10, passed: false });
    const relative = analyseCanary(input(slow, { requests: 2000, latencyMs: 10 }), policy);
    expect(metric(relative, 'latency_p99_ms').passed).toBe(true);
    const tooSlow = analyseCanary(
      input({ requests: 200, latencyMs: 20 }, { requests: 2000, latencyMs: 10 }),
      policy,
    );
    expect(metric(tooSlow, 'latency_p99_ms').passed).toBe(false);
  });

  it('does not fail an equal model on microsecond timer noise (5 ms slack over the champion)', () => {
    const noisy = analyseCanary(
      input({ requests: 200, latencyMs: 0.09 }, { requests: 2000, latencyMs: 0.05 }),
      policy,
    );
    expect(metric(noisy, 'latency_p99_ms').passed).toBe(true);
  });

  it('fails scores that diverge from the champion (PSI > 0.2)', () => {
    const check = analyseCanary(input({ requests: 500, shift: 0.3 }, { requests: 2000 }), policy);
    expect(check.verdict).toBe('fail');
    expect(metric(check, 'score_psi').canary).toBeGreaterThan(0.2);
  });

  it('fails a realised cost worse than the champion beyond the margin, passes one within', () => {
    const worse = analyseCanary(
      input({ requests: 200 }, { requests: 2000 }, { cost: { champion: 10, canary: 11 } }),
      policy,
    );
    expect(worse.verdict).toBe('fail');
    expect(metric(worse, 'cost_per_decision')).toMatchObject({ threshold: 10.5, passed: false });
    const within = analyseCanary(
      input({ requests: 200 }, { requests: 2000 }, { cost: { champion: 10, canary: 10.4 } }),
      policy,
    );
    expect(within.verdict).toBe('pass');
  });

  it('treats a metric that cannot be read as an error, never a pass', () => {
    const down = analyseCanary(
      input({ requests: 200 }, { requests: 2000 }, { cost: { error: 'store down' } }),
      policy,
    );
    expect(down.verdict).toBe('error');
    const nan = analyseCanary(
      input({ requests: 200 }, { requests: 2000 }, { cost: { champion: Number.NaN, canary: 1 } }),
      policy,
    );
    expect(nan.verdict).toBe('error');
  });

  it('skips comparisons the champion has too little traffic for', () => {
    const check = analyseCanary(input({ requests: 200 }, { requests: 10 }), policy);
    expect(check.verdict).toBe('pass');
    expect(metric(check, 'score_psi').passed).toBeNull();
    expect(metric(check, 'latency_p99_ms').passed).toBeNull();
  });
});

describe('canary analysis: a run of checks', () => {
  const run = (verdicts: ('pass' | 'fail' | 'hold' | 'error')[], p: CanaryPolicy = policy) => {
    let progress = NO_PROGRESS;
    const actions: string[] = [];
    for (const v of verdicts) {
      const next = advanceCanary(progress, v, p);
      progress = next.progress;
      actions.push(next.action);
    }
    return actions;
  };

  it('promotes after successfulChecks consecutive passes', () => {
    expect(run(['pass', 'pass', 'pass', 'pass', 'pass'])).toEqual([
      'continue',
      'continue',
      'continue',
      'continue',
      'promote',
    ]);
  });

  it('never counts a hold towards promotion', () => {
    const actions = run(['pass', 'pass', 'hold', 'pass', 'pass', 'pass', 'pass']);
    expect(actions.includes('promote')).toBe(false);
    expect(run(Array(50).fill('hold')).includes('promote')).toBe(false);
  });

  it('rolls back after failedChecks failures, even between passes', () => {
    expect(run(['fail', 'pass', 'fail', 'pass', 'fail']).at(-1)).toBe('rollback');
    expect(run(['fail', 'fail'], { ...policy, failedChecks: 2 }).at(-1)).toBe('rollback');
  });

  it('aborts after errorChecks consecutive errors', () => {
    expect(run(['error', 'error', 'error', 'error'])).toEqual([
      'continue',
      'continue',
      'continue',
      'abort',
    ]);
    expect(run(['error', 'error', 'error', 'pass', 'error']).includes('abort')).toBe(false);
  });
});

describe('score divergence', () => {
  it('is near 0 for the same distribution and large for a shifted one', () => {
    const a = Float64Array.from({ length: 4000 }, createRng(1));
    const b = Float64Array.from({ length: 4000 }, createRng(2));
    const shifted = b.map((x) => x * 0.5 + 0.5);
    expect(scorePsi(a, b)).toBeLessThan(0.02);
    expect(scorePsi(a, shifted)).toBeGreaterThan(1);
    expect(scorePsi(new Float64Array(0), b)).toBeNaN();
  });

  it('does not fail a healthy canary on a small window by chance', () => {
    let failed = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const champion = Float64Array.from({ length: 100 }, createRng(seed));
      const canary = Float64Array.from({ length: 100 }, createRng(seed + 1000));
      if (scorePsi(champion, canary) > 0.2) failed++;
    }
    expect(failed).toBeLessThanOrEqual(2);
  });
});

/** A controller over hand-fed windows, a manual clock and a recording registry. */
function harness(options: { cost?: () => Promise<{ champion: number; canary: number }> } = {}) {
  const windows = new Map<string, VersionWindow>();
  const ended: EndCanaryRequest[] = [];
  let now = Date.UTC(2024, 5, 1);
  let target: { name: string; champion: string; canary: string } | undefined = {
    name: 'churn',
    champion: 'churn@3',
    canary: 'churn@4',
  };
  const controller = new CanaryController({
    targets: () => (target ? [target] : []),
    takeWindow: (key) => (windows.get(key) ?? new VersionWindow()).take(),
    endCanary: async (request) => {
      ended.push(request);
      target = undefined;
    },
    clock: () => new Date(now),
    ...(options.cost ? { cost: options.cost } : {}),
  });
  /** One interval of traffic, then a check. */
  const interval = async (canary: Traffic, champion: Traffic = { requests: 1000 }) => {
    windows.set('churn@4', window(canary));
    windows.set('churn@3', window({ seed: 2, ...champion }));
    now += 60_000;
    const [outcome] = await controller.tick();
    return outcome;
  };
  return { controller, ended, interval };
}

describe('CanaryController', () => {
  it('promotes after five passing intervals, with every check as evidence', async () => {
    const { ended, interval } = harness();
    for (let i = 0; i < 4; i++)
      expect((await interval({ requests: 150 }))!.action).toBe('continue');
    const last = await interval({ requests: 150 });
    expect(last).toMatchObject({ action: 'promote', ended: true });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      name: 'churn',
      outcome: 'promoted',
      actor: 'canary-controller',
      reason: '5 consecutive checks passed',
    });
    const evidence = ended[0]!.evidence as { checks: { verdict: string }[] };
    expect(evidence.checks.map((c) => c.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(JSON.parse(JSON.stringify(evidence))).toEqual(evidence);
  });

  it('holds on low traffic and never promotes', async () => {
    const { ended, interval } = harness();
    for (let i = 0; i < 20; i++)
      expect((await interval({ requests: 40 }))!.check.verdict).toBe('hold');
    expect(ended).toEqual([]);
  });

  it('rolls back an injected error regression after three failed checks', async () => {
    const { ended, interval } = harness();
    await interval({ requests: 200 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await interval({ requests: 200, errors: 10 }));
    expect(outcomes.map((o) => o!.action)).toEqual(['continue', 'continue', 'rollback']);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.outcome).toBe('rolled_back');
    expect(ended[0]!.reason).toMatch(/3 checks failed; last: failed: success_rate 0.95 < 0.99/);
  });

  it('rolls back a canary whose realised cost is worse', async () => {
    const { ended, interval } = harness({
      cost: async () => ({ champion: 4, canary: 6 }),
    });
    for (let i = 0; i < 3; i++) await interval({ requests: 200 });
    expect(ended.map((e) => e.outcome)).toEqual(['rolled_back']);
  });

  it('aborts when the cost source keeps failing, and never promotes', async () => {
    const { ended, interval } = harness({
      cost: async () => {
        throw new Error('labels store unreachable');
      },
    });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await interval({ requests: 200 }))!.check.verdict);
    expect(verdicts).toEqual(['error', 'error', 'error', 'error']);
    expect(ended.map((e) => e.outcome)).toEqual(['aborted']);
  });

  it('retries the end of a canary the registry refused', async () => {
    const windows = new Map<string, VersionWindow>();
    let attempts = 0;
    const controller = new CanaryController({
      targets: () => [{ name: 'churn', champion: 'churn@3', canary: 'churn@4' }],
      takeWindow: (key) => (windows.get(key) ?? new VersionWindow()).take(),
      endCanary: async () => {
        attempts++;
        if (attempts === 1) throw new Error('CONFLICT');
      },
      policy: { failedChecks: 1 },
    });
    windows.set('churn@4', window({ requests: 200, errors: 100 }));
    expect((await controller.tick())[0]).toMatchObject({ action: 'rollback', ended: false });
    expect((await controller.tick())[0]).toMatchObject({ action: 'rollback', ended: true });
    expect(attempts).toBe(2);
  });
});
