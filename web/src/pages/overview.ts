/**
 * Overview: one card per model saying at a glance whether it is healthy
 * (from its monitoring report) and what changed last (its newest alias
 * move); then the projects and their runs, with key metrics and reports.
 */
import { actionTone, versionMove } from '../alias-moves.js';
import { api } from '../api.js';
import type { AliasMove, ModelDetail, ModelSummary, MonitorReport, Run } from '../api-types.js';
import {
  badge,
  type Column,
  empty,
  healthBadge,
  mono,
  pageHeader,
  section,
  stat,
  type Tone,
  table,
  time,
} from '../components.js';
import { type Child, h, link, replace } from '../dom.js';
import { count, DASH, duration, ms, num, pct, short, text } from '../format.js';
import { type Page, type PageContext, settle } from '../page.js';
import { reportLink } from '../report-link.js';
import { path } from '../router.js';
import { sortAlerts } from './alerts.js';

interface ModelGlance {
  readonly summary: ModelSummary;
  readonly detail: ModelDetail | undefined;
  readonly monitor: MonitorReport | undefined;
  readonly moves: AliasMove[];
}

/** Metrics a person looks at first, in this order; any others follow by how common they are. */
const PREFERRED = [
  'roc_auc',
  'cost_per_decision',
  'pr_auc',
  'rmse',
  'mae',
  'r2',
  'log_loss',
  'brier',
  'accuracy',
  'macro_f1',
];

/** The most telling metrics across runs: test metrics first, the preferred ones first among them. */
export function keyMetrics(runs: readonly Run[], max = 4): string[] {
  const seen = new Map<string, number>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.metrics ?? {})) {
      if (typeof v === 'number') seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  }
  const split = (k: string) => /^(test|validation|train)[._](.+)$/.exec(k);
  const stage = (k: string) => ['test', 'validation', 'train'].indexOf(split(k)?.[1] ?? '') >>> 0;
  const preference = (k: string) => {
    const i = PREFERRED.indexOf(split(k)?.[2] ?? k);
    return i < 0 ? PREFERRED.length : i;
  };
  return [...seen.entries()]
    .sort(
      (a, b) =>
        stage(a[0]) - stage(b[0]) ||
        preference(a[0]) - preference(b[0]) ||
        b[1] - a[1] ||
        a[0].localeCompare(b[0]),
    )
    .slice(0, max)
    .map(([k]) => k);
}

export function statusTone(status: unknown): Tone {
  switch (typeof status === 'string' ? status.toLowerCase() : status) {
    case 'finished':
    case 'succeeded':
    case 'completed':
    case 'passed':
    case 'ok':
      return 'ok';
    case 'running':
    case 'started':
      return 'info';
    case 'failed':
    case 'killed':
    case 'error':
    case 'blocked':
      return 'bad';
    default:
      return 'muted';
  }
}

function modelCard(m: ModelGlance): HTMLElement {
  const name = m.summary.name;
  const current = m.monitor?.current;
  const firing = sortAlerts((m.monitor?.alerts ?? []).filter((a) => a.state === 'firing'));
  const deployment = m.detail?.deployment;
  const champion = deployment?.champion ?? m.summary.aliases?.['champion'];
  const canary = deployment?.canary;
  const p99 = current?.latency?.p99;
  const budget = current?.latency?.budgetP99;
  const last = m.moves[0];
  return h(
    'article',
    { class: `model-card health-${m.monitor?.health ?? 'unknown'}`, 'data-model': name },
    h(
      'header',
      {},
      h('h3', {}, link(path('monitoring', name), name)),
      healthBadge(m.monitor?.health),
    ),
    h(
      'p',
      { class: 'serving' },
      champion === null || champion === undefined
        ? badge('no champion', 'muted')
        : badge(`champion v${champion}`, 'info'),
      canary?.version === undefined || canary?.version === null
        ? null
        : badge(
            canary.shadow
              ? `shadow v${canary.version}`
              : `canary v${canary.version} · ${num(canary.weight)}%`,
            'warn',
          ),
      m.summary.latestVersion
        ? h('span', { class: 'muted' }, ` latest v${m.summary.latestVersion}`)
        : null,
    ),
    h(
      'div',
      { class: 'mini-stats' },
      stat(
        'drift',
        pct(current?.driftScore, 0),
        'weighted',
        (current?.driftScore ?? 0) > 0 ? 'warn' : undefined,
      ),
      stat(
        'p99',
        ms(p99),
        budget ? `budget ${ms(budget)}` : undefined,
        p99 && budget && p99 > budget ? 'bad' : undefined,
      ),
      stat(
        'cost',
        num(current?.business?.estimatedCostPerDecision, 2),
        current?.business?.currency ? `${current.business.currency}/decision` : undefined,
      ),
      stat(
        'rows',
        count(current?.rows),
        m.monitor?.window ? `last ${m.monitor.window}` : undefined,
      ),
    ),
    firing.length > 0
      ? h(
          'ul',
          { class: 'card-alerts' },
          ...firing
            .slice(0, 3)
            .map((a) =>
              h(
                'li',
                {},
                badge(text(a.severity), a.severity === 'page' ? 'bad' : 'warn'),
                ' ',
                text(a.message),
              ),
            ),
          firing.length > 3 ? h('li', { class: 'muted' }, `and ${firing.length - 3} more`) : null,
        )
      : h(
          'p',
          { class: 'card-ok muted' },
          m.monitor ? 'No alerts firing.' : 'No monitoring data yet.',
        ),
    h(
      'footer',
      {},
      last
        ? h(
            'span',
            {},
            'Last change: ',
            h('b', {}, text(last.alias)),
            ` ${text(last.action)} `,
            versionMove(last),
            ' by ',
            text(last.actor),
            ' ',
            time(last.at),
          )
        : h('span', { class: 'muted' }, 'No alias moves yet.'),
      h(
        'span',
        { class: 'card-links' },
        link(path('models', name), 'versions'),
        ' · ',
        link(path('deployments'), 'deployment'),
      ),
    ),
  );
}

function runsTable(
  runs: readonly Run[],
  metrics: readonly string[],
  ctx: PageContext,
): HTMLElement {
  const columns: Column<Run>[] = [
    { label: 'run', cell: (r) => mono(short(r.id), r.id) },
    { label: 'project', cell: (r) => text(r.project) },
    { label: 'kind', cell: (r) => text(r.kind) },
    { label: 'status', cell: (r) => badge(text(r.status), statusTone(r.status)) },
    { label: 'started', cell: (r) => time(r.startedAt) },
    { label: 'took', cell: (r) => duration(r.startedAt, r.endedAt), class: 'num' },
    ...metrics.map((k) => ({
      label: k,
      cell: (r: Run) => num(r.metrics?.[k] ?? null, 4),
      class: 'num',
    })),
    { label: 'snapshot', cell: (r) => mono(short(r.snapshotId), r.snapshotId ?? undefined) },
    { label: 'report', cell: (r) => reportLink(r.id, r.hasReport, ctx.authOff) },
  ];
  return table(columns, runs, { empty: 'No runs match.', label: 'runs' });
}

function projectCards(runs: readonly Run[]): HTMLElement {
  const projects = new Map<string, Run[]>();
  for (const r of runs) {
    const p = r.project ?? DASH;
    projects.set(p, [...(projects.get(p) ?? []), r]);
  }
  if (projects.size === 0) return empty('No runs yet: `flywheel run` records one.');
  return h(
    'div',
    { class: 'cards projects' },
    ...[...projects.entries()].map(([name, list]) => {
      const last = list[0]!;
      const failed = list.filter((r) => statusTone(r.status) === 'bad').length;
      const metrics = keyMetrics(list, 2);
      return h(
        'article',
        { class: 'project-card', 'data-project': name },
        h('h3', {}, name),
        h(
          'p',
          {},
          `${list.length} run${list.length === 1 ? '' : 's'}`,
          failed > 0 ? h('span', {}, ' · ', badge(`${failed} failed`, 'bad')) : null,
        ),
        h(
          'p',
          { class: 'muted' },
          'Last: ',
          badge(text(last.status), statusTone(last.status)),
          ' ',
          time(last.startedAt),
        ),
        metrics.length > 0
          ? h(
              'div',
              { class: 'mini-stats' },
              ...metrics.map((k) => stat(k, num(last.metrics?.[k] ?? null, 4))),
            )
          : null,
      );
    }),
  );
}

export const overviewPage: Page = async (_route, ctx) => {
  const [models, runs] = await Promise.all([settle(api.models()), settle(api.runs(100))]);
  const glances: ModelGlance[] = await Promise.all(
    (models ?? []).slice(0, 24).map(async (summary) => {
      const [detail, monitor, moves] = await Promise.all([
        settle(api.model(summary.name)),
        settle(api.monitoring(summary.name, '1h', 1)),
        settle(api.history(summary.name)),
      ]);
      return { summary, detail, monitor, moves: moves ?? [] };
    }),
  );
  const firing = glances.reduce(
    (n, g) => n + (g.monitor?.alerts ?? []).filter((a) => a.state === 'firing').length,
    0,
  );
  const projectCount = new Set((runs ?? []).map((r) => r.project ?? DASH)).size;

  const runList = runs ?? [];
  const metrics = keyMetrics(runList);
  const projectFilter = h(
    'select',
    { 'aria-label': 'project' },
    h('option', { value: '' }, 'All projects'),
    ...[...new Set(runList.map((r) => r.project ?? DASH))].map((p) => h('option', { value: p }, p)),
  );
  const runsHolder = h('div', {}, runsTable(runList, metrics, ctx));
  projectFilter.addEventListener('change', () => {
    const p = projectFilter.value;
    replace(
      runsHolder,
      runsTable(
        p === '' ? runList : runList.filter((r) => (r.project ?? DASH) === p),
        metrics,
        ctx,
      ),
    );
  });

  const changes = glances
    .flatMap((g) => g.moves.slice(0, 10).map((m) => ({ model: g.summary.name, move: m })))
    .sort((a, b) => String(b.move.at ?? '').localeCompare(String(a.move.at ?? '')))
    .slice(0, 8);

  const subtitle: Child[] = [
    `${glances.length} model${glances.length === 1 ? '' : 's'} · ${projectCount} project${projectCount === 1 ? '' : 's'} · `,
    firing > 0
      ? badge(`${firing} alert${firing === 1 ? '' : 's'} firing`, 'bad')
      : badge('no alerts firing', 'ok'),
  ];
  return h(
    'div',
    {},
    pageHeader('Overview', subtitle),
    section(
      'Models',
      models === undefined
        ? empty('The models could not be read.')
        : glances.length === 0
          ? empty('No models registered yet: a blessed `flywheel run` registers one.')
          : h('div', { class: 'cards models' }, ...glances.map(modelCard)),
    ),
    changes.length > 0
      ? section(
          'What changed',
          h(
            'ul',
            { class: 'changes' },
            ...changes.map(({ model, move }) =>
              h(
                'li',
                {},
                time(move.at),
                ' ',
                link(path('models', model), model),
                ' ',
                h('b', {}, text(move.alias)),
                ' ',
                badge(text(move.action), actionTone(move.action)),
                ' ',
                versionMove(move),
                ' by ',
                text(move.actor),
                move.reason ? h('span', { class: 'muted' }, ` — “${move.reason}”`) : null,
              ),
            ),
          ),
        )
      : null,
    section('Projects', projectCards(runList)),
    section(
      'Runs',
      h(
        'div',
        { class: 'toolbar' },
        projectFilter,
        h('span', { class: 'muted' }, `${runList.length} newest runs`),
      ),
      runs === undefined ? empty('The runs could not be read.') : runsHolder,
    ),
  );
};
