/**
 * Monitoring one model: its champion's reference, the prediction log of all
 * its versions cut into windows (oldest first, the last ending now), the
 * error budget from the serving counts, the rules on the current window,
 * the alerts' state and their delivery.
 */
import { FlywheelError } from '../errors.js';
import { parseDuration } from '../features/index.js';
import { CHAMPION, type ModelBundle, ModelRegistry } from '../registry/index.js';
import { createScorer, type Scorer } from '../serve/index.js';
import { monitorSettings } from '../spec/index.js';
import type { PredictionRecord, Stores } from '../store/index.js';
import { applyOutcome, toAlert } from './alert-state.js';
import { evaluateRules, type FreshnessInput } from './rules.js';
import { type MinuteCounts, sloLookbackMs, sloStatus } from './slo.js';
import type { MonitorReport, MonitorSettings, MonitorWindow } from './types.js';
import { computeWindow, type WindowContext, windowContext } from './window.js';

export interface MonitorOptions {
  /** Window size (default: the settings' `window`). */
  readonly window?: string;
  /** How many windows to report, the last ending at `now` (default 24). */
  readonly count?: number;
  readonly now?: Date;
  /** Settings to use instead of those the champion's bundle carries (e.g. the current spec's). */
  readonly settings?: MonitorSettings;
  /** Feature freshness, for the freshness rule. */
  readonly freshness?: readonly FreshnessInput[];
  /** Update the stored alerts and deliver transitions (default true). */
  readonly evaluate?: boolean;
  /** For tests: the webhook transport and backoff. */
  readonly fetch?: typeof fetch;
  readonly backoffMs?: number;
  /** Most predictions read, the newest (default 2,000,000). */
  readonly maxRows?: number;
}

const CHUNK = 50_000;

/** The rows' features as the champion computes them; rows it cannot read are left out. */
function featuresOf(scorer: Scorer, bundle: ModelBundle, records: readonly PredictionRecord[]) {
  const keep = new Set([
    ...bundle.inputs.map((i) => i.name),
    ...(bundle.online?.features.map((f) => f.name) ?? []),
    ...[bundle.entity, bundle.eventTime].filter((f) => f !== undefined),
  ]);
  const rows = records.map((r) => {
    const inputs = (r.inputs ?? {}) as Record<string, unknown>;
    const picked: Record<string, unknown> = {};
    for (const k of Object.keys(inputs)) if (keep.has(k)) picked[k] = inputs[k];
    return picked;
  });
  let kept = rows.map((_, i) => i);
  let result = scorer.features(rows);
  if (!result.ok) {
    // Rows logged by a version with other inputs: leave out those the champion cannot read.
    const bad = new Set(result.errors.map((e) => e.row));
    kept = kept.filter((i) => !bad.has(i));
    result = scorer.features(kept.map((i) => rows[i]));
    if (!result.ok) return { frame: undefined, kept: [] as number[] };
  }
  return { frame: result.frame, kept };
}

function decisionOf(outputs: unknown): number {
  const d = (outputs as { decision?: unknown } | null)?.decision;
  return d === true ? 1 : d === false ? 0 : Number.NaN;
}

function windowOf(
  ctx: WindowContext,
  scorer: Scorer,
  records: readonly PredictionRecord[],
  labels: ReadonlyMap<string, number>,
  minutes: readonly MinuteCounts[],
  from: number,
  to: number,
): MonitorWindow {
  const frames = [];
  const used: PredictionRecord[] = [];
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    const { frame, kept } = featuresOf(scorer, ctx.bundle, chunk);
    if (frame === undefined) continue;
    frames.push(frame);
    for (const k of kept) used.push(chunk[k]!);
  }
  const features = concatFrames(frames, ctx);
  let requests = 0;
  let errors = 0;
  for (const m of minutes) {
    const t = Date.parse(m.minute);
    if (t < from || t >= to) continue;
    requests += m.requests;
    errors += m.errors;
  }
  return computeWindow(ctx, {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    versions: [...new Set(used.map((r) => r.modelVersion))].sort(),
    features,
    scores: Float64Array.from(used, (r) => r.score ?? Number.NaN),
    decisions: Float64Array.from(used, (r) => decisionOf(r.outputs)),
    latencyMs: Float64Array.from(used, (r) => r.latencyMs ?? Number.NaN),
    labels: Float64Array.from(used, (r) => labels.get(r.id) ?? Number.NaN),
    requests,
    errors,
  });
}

/** Frames of the same schema, one after the other (categoricals re-coded onto one dictionary). */
function concatFrames(frames: readonly import('../data/index.js').Frame[], ctx: WindowContext) {
  type Column = import('../data/index.js').Column;
  const rowCount = frames.reduce((s, f) => s + f.rowCount, 0);
  const columns = new Map<string, Column>();
  if (frames.length === 0) {
    return { rowCount: 0, schema: [], columns };
  }
  if (frames.length === 1) return frames[0]!;
  for (const name of ctx.bundle.features) {
    const first = frames[0]!.columns.get(name);
    if (first === undefined) continue;
    if (first.type === 'categorical') {
      const dictionary: string[] = [];
      const index = new Map<string, number>();
      const codes = new Int32Array(rowCount);
      let offset = 0;
      for (const f of frames) {
        const c = f.columns.get(name) as Extract<Column, { type: 'categorical' }>;
        const remap = c.dictionary.map((v) => {
          let j = index.get(v);
          if (j === undefined) {
            j = dictionary.length;
            dictionary.push(v);
            index.set(v, j);
          }
          return j;
        });
        for (let r = 0; r < f.rowCount; r++) {
          const code = c.codes[r]!;
          codes[offset + r] = code < 0 ? code : remap[code]!;
        }
        offset += f.rowCount;
      }
      columns.set(name, { type: 'categorical', codes, dictionary });
    } else {
      const values = new Float64Array(rowCount);
      let offset = 0;
      for (const f of frames) {
        const c = f.columns.get(name) as Extract<Column, { type: 'numeric' }>;
        values.set(c.values, offset);
        offset += f.rowCount;
      }
      columns.set(name, { ...first, values } as Column);
    }
  }
  return { rowCount, schema: frames[0]!.schema, columns };
}

/**
 * The monitoring report of model `name`, evaluating its alert rules on the
 * current window (unless `evaluate: false`).
 *
 * @example
 * const report = await monitorModel(stores, 'flights_delay', { window: '1h', count: 24 });
 * report.current.features.filter((f) => f.drifted)
 */
export async function monitorModel(
  stores: Stores,
  name: string,
  options: MonitorOptions = {},
): Promise<MonitorReport> {
  const registry = new ModelRegistry(stores);
  const champion = await registry.resolve(`${name}@${CHAMPION}`).catch((err: unknown) => {
    if (err instanceof FlywheelError && err.code === 'NOT_FOUND') {
      throw new FlywheelError('NOT_FOUND', `model "${name}" has no champion to monitor`, {
        hint: 'register and deploy a version first (flywheel run, flywheel deploy)',
      });
    }
    throw err;
  });
  const bundle = await registry.loadBundle(champion);
  const settings = options.settings ?? bundle.monitoring ?? monitorSettings({});
  const windowText = options.window ?? settings.window;
  const windowMs = parseDuration(windowText, 'window');
  const count = options.count ?? 24;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new FlywheelError('USAGE', 'count must be an integer from 1 to 1000');
  }
  const now = (options.now ?? new Date()).getTime();
  const start = now - windowMs * count;
  const versions = (await registry.listVersions(name)).map((v) => `${name}@${v.version}`);
  const maxRows = options.maxRows ?? 2_000_000;
  // Newest first, so a cap drops the oldest windows' rows, never the current one's.
  const records = (
    await stores.metadata.listPredictions({
      modelVersions: versions,
      since: new Date(start),
      until: new Date(now),
      limit: maxRows,
      order: 'desc',
    })
  ).reverse();
  const labels = await stores.metadata.labelsInWindow(
    versions,
    new Date(start).toISOString(),
    new Date(now).toISOString(),
  );
  const minutes = await stores.metadata.servingMinutes(
    versions,
    new Date(Math.min(start, now - sloLookbackMs(settings))).toISOString(),
    new Date(now).toISOString(),
  );
  const ctx = windowContext(bundle, settings);
  const scorer = createScorer(bundle);
  const windows: MonitorWindow[] = [];
  let next = 0;
  for (let w = 0; w < count; w++) {
    const from = start + w * windowMs;
    const to = from + windowMs;
    const inWindow: PredictionRecord[] = [];
    while (next < records.length && Date.parse(records[next]!.at) < to) {
      if (Date.parse(records[next]!.at) >= from) inWindow.push(records[next]!);
      next++;
    }
    windows.push(windowOf(ctx, scorer, inWindow, labels, minutes, from, to));
  }
  const current = windows.at(-1)!;
  const slo = sloStatus(settings, minutes, now);
  if (options.evaluate !== false) {
    const outcome = evaluateRules({
      settings,
      window: current,
      slo,
      ...(options.freshness === undefined ? {} : { freshness: options.freshness }),
    });
    await applyOutcome(stores.metadata, name, outcome, settings.webhooks, {
      now: new Date(now),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
    });
  }
  const alerts = (await stores.metadata.listAlerts({ model: name, limit: 200 })).map(toAlert);
  const firing = alerts.filter((a) => a.state === 'firing');
  return {
    model: name,
    window: windowText,
    generatedAt: new Date().toISOString(),
    health: firing.some((a) => a.severity === 'page')
      ? 'critical'
      : firing.length > 0
        ? 'warning'
        : 'ok',
    windows,
    current,
    slo,
    alerts,
    truncated: records.length >= maxRows,
  };
}
