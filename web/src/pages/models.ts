/**
 * Models: every model with its aliases and versions, each version with its
 * lineage (the run that made it, the snapshot it trained on, the spec hash,
 * the bundle's sha256), its rung and whether the gate blessed it. One model's
 * page adds the history of its aliases.
 */
import { historyTable } from '../alias-moves.js';
import { api } from '../api.js';
import type { ModelDetail, ModelSummary, ModelVersion, Run } from '../api-types.js';
import {
  badge,
  type Column,
  empty,
  mono,
  pageHeader,
  section,
  table,
  time,
} from '../components.js';
import { h, link } from '../dom.js';
import { short, text, when } from '../format.js';
import { type Page, type PageContext, settle } from '../page.js';
import { reportLink } from '../report-link.js';
import { path } from '../router.js';

/** version → the aliases pointing at it. */
function aliasesByVersion(aliases: ModelDetail['aliases']): Map<number, string[]> {
  const by = new Map<number, string[]>();
  for (const [alias, v] of Object.entries(aliases ?? {})) {
    if (typeof v === 'number') by.set(v, [...(by.get(v) ?? []), alias]);
  }
  return by;
}

export function aliasChips(aliases: ModelSummary['aliases']): HTMLElement {
  const entries = Object.entries(aliases ?? {}).filter(([, v]) => typeof v === 'number');
  if (entries.length === 0) return h('span', { class: 'muted' }, 'no aliases');
  return h(
    'span',
    { class: 'chips' },
    ...entries.map(([alias, v]) =>
      badge(
        `${alias} → v${v}`,
        alias === 'champion' ? 'info' : alias === 'canary' ? 'warn' : 'muted',
      ),
    ),
  );
}

function versionsTable(
  detail: ModelDetail,
  runs: ReadonlyMap<string, Run>,
  ctx: PageContext,
): HTMLElement {
  const aliases = aliasesByVersion(detail.aliases);
  const versions = [...(detail.versions ?? [])].sort((a, b) => b.version - a.version);
  const columns: Column<ModelVersion>[] = [
    {
      label: 'version',
      cell: (v) =>
        h(
          'span',
          { class: 'version' },
          h('b', {}, `v${v.version}`),
          ...(aliases.get(v.version) ?? []).map((a) =>
            badge(a, a === 'champion' ? 'info' : a === 'canary' ? 'warn' : 'muted'),
          ),
        ),
    },
    { label: 'rung', cell: (v) => text(v.rung) },
    {
      label: 'gate',
      cell: (v) =>
        v.blessed === true
          ? badge('✓ blessed', 'ok')
          : v.blessed === false
            ? badge('✗ not blessed', 'bad')
            : badge('–', 'muted'),
    },
    { label: 'created', cell: (v) => time(v.createdAt) },
    { label: 'by', cell: (v) => text(v.createdBy) },
    {
      label: 'run',
      cell: (v) =>
        v.runId
          ? h(
              'span',
              {},
              mono(short(v.runId), v.runId),
              ' ',
              reportLink(v.runId, runs.get(v.runId)?.hasReport ?? true, ctx.authOff),
            )
          : '–',
    },
    { label: 'snapshot', cell: (v) => mono(short(v.snapshotId), v.snapshotId ?? undefined) },
    { label: 'spec', cell: (v) => mono(short(v.specHash), v.specHash ?? undefined) },
    {
      label: 'bundle sha256',
      cell: (v) => mono(short(v.bundleSha256), v.bundleSha256 ?? undefined),
    },
  ];
  return table(columns, versions, {
    empty: 'No versions yet.',
    label: `versions of ${detail.name}`,
    rowClass: (v) => (aliases.has(v.version) ? 'aliased' : undefined),
  });
}

function modelPanel(
  summary: ModelSummary,
  detail: ModelDetail | undefined,
  runs: ReadonlyMap<string, Run>,
  ctx: PageContext,
): HTMLElement {
  const name = summary.name;
  const versions = detail?.versions ?? [];
  const newest = [...versions].sort((a, b) => b.version - a.version)[0];
  return h(
    'section',
    { class: 'panel model-panel', 'data-model': name },
    h(
      'header',
      { class: 'panel-header' },
      h('h2', {}, link(path('models', name), name)),
      aliasChips(detail?.aliases ?? summary.aliases),
      h(
        'span',
        { class: 'muted' },
        `${versions.length} version${versions.length === 1 ? '' : 's'}`,
        newest?.createdAt ? ` · newest ${when(newest.createdAt)}` : '',
      ),
      h(
        'span',
        { class: 'card-links' },
        link(path('monitoring', name), 'monitoring'),
        ' · ',
        link(path('deployments'), 'deployment'),
      ),
    ),
    detail === undefined
      ? empty('This model could not be read.')
      : versionsTable(detail, runs, ctx),
  );
}

async function runIndex(): Promise<Map<string, Run>> {
  const runs = (await settle(api.runs(100))) ?? [];
  return new Map(runs.map((r) => [r.id, r]));
}

export const modelsPage: Page = async (route, ctx) => {
  const only = route.params[0];
  if (only !== undefined) return modelPage(only, ctx);
  const [models, runs] = await Promise.all([api.models(), runIndex()]);
  const details = await Promise.all(models.map((m) => settle(api.model(m.name))));
  return h(
    'div',
    {},
    pageHeader('Models', `${models.length} registered model${models.length === 1 ? '' : 's'}`),
    models.length === 0
      ? section('Models', empty('No models registered yet.'))
      : models.map((m, i) => modelPanel(m, details[i], runs, ctx)),
  );
};

async function modelPage(name: string, ctx: PageContext): Promise<Node> {
  const [detail, moves, runs] = await Promise.all([
    api.model(name),
    settle(api.history(name)),
    runIndex(),
  ]);
  return h(
    'div',
    {},
    pageHeader(
      name,
      h('span', {}, link(path('models'), '← all models')),
      link(path('monitoring', name), 'Monitoring →'),
    ),
    modelPanel({ name, aliases: detail.aliases }, detail, runs, ctx),
    section('Alias history', historyTable(moves ?? [])),
  );
}
