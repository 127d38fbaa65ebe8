/**
 * The demo report: what `flywheel demo` shows after replaying months of real
 * traffic through a served model with its feedback loop (daily labels,
 * monitoring alerts, gated retrains, canaries). The centrepiece compares,
 * month by month, the business cost of the frozen first champion with what
 * the flywheel actually served. Rendered like the run report, as one
 * self-contained page (report-page.ts) with every text HTML-escaped; its
 * charts are drawn by demo-report-script.ts.
 */
import { DEMO_SCRIPT } from './demo-report-script.js';
import { chart, escapeHtml, num, section, table } from './html-parts.js';
import { renderPage } from './report-page.js';
import { REPORT_STYLE } from './report-style.js';

export interface DemoReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly model: string;
  readonly currency: string;
  readonly costs: {
    readonly tp: number;
    readonly fp: number;
    readonly fn: number;
    readonly tn: number;
  };
  readonly sample: {
    readonly description: string;
    readonly fraction: number;
    readonly seed: number;
    readonly trainRows: number;
    readonly replayedRequests: number;
    readonly days: number;
    readonly from: string;
    readonly to: string;
  };
  readonly timing: {
    readonly totalSeconds: number;
    readonly stages: readonly { readonly name: string; readonly seconds: number }[];
  };
  /** Month by month: the centrepiece. Cost per decision and total cost of both. */
  readonly months: readonly {
    readonly month: string;
    readonly requests: number;
    readonly labelled: number;
    readonly positiveRate: number;
    readonly frozenCost: number;
    readonly flywheelCost: number;
    readonly frozenTotal: number;
    readonly flywheelTotal: number;
  }[];
  /** Day by day, for the time-axis chart. */
  readonly daily: readonly {
    readonly day: string;
    readonly requests: number;
    readonly frozenCost: number | null;
    readonly flywheelCost: number | null;
    readonly champion: number;
    readonly canaryWeight: number | null;
  }[];
  /** Alerts monitoring raised, on the same time axis. */
  readonly alerts: readonly {
    readonly rule: string;
    readonly subject: string;
    readonly severity: string;
    readonly firedAt: string;
    readonly resolvedAt: string | null;
    readonly message: string;
  }[];
  /** Deployment events: champion set, canary started, promoted, rolled back, retrain held/refused. */
  readonly deployments: readonly {
    readonly at: string;
    readonly action: string;
    readonly version: number | null;
    readonly reason: string;
  }[];
  readonly retrains: readonly {
    readonly at: string;
    readonly trigger: string;
    readonly snapshotId: string | null;
    readonly rows: number;
    readonly feedbackRows: number;
    readonly challenger: string | null;
    readonly gate: null | {
      readonly championCost: number;
      readonly challengerCost: number;
      readonly difference: {
        readonly estimate: number;
        readonly lower: number;
        readonly upper: number;
      };
      readonly probabilityBetter: number;
      readonly rows: number;
      readonly passed: boolean;
    };
    readonly outcome: string;
  }[];
  readonly totals: {
    readonly frozenCost: number;
    readonly flywheelCost: number;
    readonly saved: number;
    readonly labels: number;
    readonly snapshots: number;
  };
  /** Optional links shown at the top, e.g. the dashboard URL when --keep-serving. */
  readonly links?: readonly { readonly label: string; readonly href: string }[];
}

/** The demo page's extra rules, after the run report's stylesheet. */
export const DEMO_STYLE = `${REPORT_STYLE}
header.even{background:#4a5568}header nav{margin-top:6px}header a{color:#fff}
.refused{opacity:.8;font-style:italic}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:10px;margin:6px 0 10px}
.stat{border:1px solid #dde1e8;border-radius:6px;padding:8px 12px}.stat b{display:block;font-size:19px;white-space:nowrap}
.stat span{color:#4b5263;font-size:12px}
figure.chart.wide{height:420px}
`;

const DAY_MS = 86_400_000;
const HASH_PREFIX = 12;
const TOOLTIP_WIDTH = 72;

type Daily = DemoReport['daily'][number];
type Point = { x: number; y: number | null };
type Marker = { x: number; y: number; t: string; text: string[] };

function money(value: number, currency: string): string {
  if (!Number.isFinite(value)) return '–';
  const digits = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return `${value.toLocaleString('en-US', digits)} ${escapeHtml(currency)}`;
}

function percent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(100 * share).toFixed(digits)}%` : '–';
}

const code = (full: string | null) =>
  full === null
    ? '–'
    : `<code title="${escapeHtml(full)}">${escapeHtml(full.slice(0, HASH_PREFIX))}</code>`;

/** An ISO instant, shortened to `YYYY-MM-DD HH:MM UTC` when it is on the minute in UTC. */
const instant = (iso: string) =>
  escapeHtml(iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::00(?:\.0+)?)?Z$/, '$1 $2 UTC'));

const note = (text: string) => `<p class="note">${escapeHtml(text)}</p>`;

function duration(from: string, to: string | null): string {
  if (to === null) return '<b class="bad">open</b>';
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms)) return '–';
  return ms < DAY_MS ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / DAY_MS).toFixed(1)} d`;
}

/**
 * The href to use for a header link, or null when it is refused: only
 * http(s) and relative links pass (no `javascript:`, `data:`, nor
 * protocol-relative `//host`). Browsers drop tabs and newlines anywhere in a
 * URL and C0 controls and spaces at its ends, so the check does too.
 */
export function safeHref(href: string): string | null {
  const url = href.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (/^https?:\/\/[^/\\]/i.test(url)) return url;
  if (url === '' || /^[a-z][a-z0-9+.-]*:/i.test(url) || /^[/\\]{2}/.test(url)) return null;
  return url;
}

function links(input: DemoReport): string {
  if (!input.links || input.links.length === 0) return '';
  const items = input.links.map((l) => {
    const href = safeHref(l.href);
    return href === null
      ? `<span class="refused" title="link refused: only http(s) and relative links">${escapeHtml(l.label)}</span>`
      : `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(l.label)}</a>`;
  });
  return `<nav>${items.join(' · ')}</nav>`;
}

/** Words wrapped into tooltip lines (Chart.js draws tooltips on the canvas, unwrapped). */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > TOOLTIP_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Cost per decision over the seven days up to each day, each day weighted by
 * its requests; null on a day without labels, so the mean stops where the
 * labels do.
 */
export function rollingCost(
  daily: readonly Daily[],
  key: 'frozenCost' | 'flywheelCost',
  window = 7,
): (number | null)[] {
  return daily.map((day, i) => {
    if (day[key] === null) return null;
    let sum = 0;
    let weight = 0;
    for (const d of daily.slice(Math.max(0, i - window + 1), i + 1)) {
      const cost = d[key];
      if (cost === null || !Number.isFinite(cost) || !(d.requests > 0)) continue;
      sum += cost * d.requests;
      weight += d.requests;
    }
    return weight > 0 ? sum / weight : null;
  });
}

/** The chart's data: days as x (0 = the first day's midnight UTC), events at their instant. */
function timeline(input: DemoReport) {
  const first = input.daily[0]?.day ?? input.sample.from;
  const start = Date.parse(`${first.slice(0, 10)}T00:00:00Z`);
  const at = (iso: string) => (Date.parse(iso) - start) / DAY_MS;
  const index = input.daily.map((d) => Math.round(at(d.day.slice(0, 10))));
  const days = index.length > 0 ? Math.max(...index) + 1 : 0;
  const inRange = (x: number) => Number.isFinite(x) && x >= 0 && x <= days;
  const series = (values: readonly (number | null)[]): Point[] =>
    values.map((y, i) => ({ x: index[i]! + 0.5, y }));
  const frozen7 = rollingCost(input.daily, 'frozenCost');
  const flywheel7 = rollingCost(input.daily, 'flywheelCost');
  const last = input.daily.at(-1);
  const champion = input.daily.map((d, i) => ({
    x: index[i]!,
    y: d.champion,
    canary: d.canaryWeight,
  }));
  if (last) champion.push({ x: days, y: last.champion, canary: last.canaryWeight });
  const markers = <T>(
    rows: readonly T[],
    y: number,
    when: (r: T) => string,
    text: (r: T) => string,
  ) =>
    rows.flatMap((r): Marker[] => {
      const x = at(when(r));
      return inRange(x) ? [{ x, y, t: when(r), text: wrap(text(r)) }] : [];
    });
  const alerts = markers(
    input.alerts,
    0.94,
    (a) => a.firedAt,
    (a) => `alert ${a.rule} (${a.severity}) on ${a.subject}: ${a.message}`,
  );
  const retrains = markers(
    input.retrains,
    0.86,
    (r) => r.at,
    (r) => `retrain (${r.trigger}): ${r.outcome}`,
  );
  const deployments = input.deployments.flatMap((d) => {
    const x = at(d.at);
    if (!inRange(x)) return [];
    const version = d.version === null ? '' : ` v${d.version}`;
    return [
      { x, y: 0.78, t: d.at, text: wrap(`${d.action}${version}: ${d.reason}`), action: d.action },
    ];
  });
  const plotted = alerts.length + retrains.length + deployments.length;
  const events = input.alerts.length + input.retrains.length + input.deployments.length;
  return {
    start: first.slice(0, 10),
    days,
    maxVersion: Math.max(0, ...input.daily.map((d) => d.champion)),
    frozen: series(input.daily.map((d) => d.frozenCost)),
    flywheel: series(input.daily.map((d) => d.flywheelCost)),
    frozen7: series(frozen7),
    flywheel7: series(flywheel7),
    champion,
    canary: input.daily.flatMap((d, i) => (d.canaryWeight === null ? [] : [{ x: index[i]! }])),
    alerts,
    retrains,
    deployments,
    offAxis: events - plotted,
  };
}

function headline(input: DemoReport): { cls: string; text: string; stats: string } {
  const t = input.totals;
  const c = input.currency;
  const share =
    t.frozenCost > 0 && Number.isFinite(t.saved)
      ? ` (${percent(t.saved / t.frozenCost)} of it)`
      : '';
  const verdict = !Number.isFinite(t.saved)
    ? 'what it saved is unknown'
    : t.saved > 0
      ? `it saved <b>${money(t.saved, c)}</b>${share}`
      : t.saved < 0
        ? `it cost <b>${money(-t.saved, c)}</b> more`
        : 'the two cost the same';
  const text = `Over ${num(input.sample.days)} days and ${num(input.sample.replayedRequests)} replayed requests, the flywheel's decisions cost ${money(t.flywheelCost, c)} against ${money(t.frozenCost, c)} for the frozen first champion: ${verdict}.`;
  const count = (action: string) => input.deployments.filter((d) => d.action === action).length;
  const stat = (value: string, label: string) =>
    `<div class="stat"><b>${value}</b><span>${escapeHtml(label)}</span></div>`;
  const stats = `<div class="stats">${[
    stat(money(t.frozenCost, c), 'frozen model, total cost'),
    stat(money(t.flywheelCost, c), 'flywheel, total cost'),
    stat(money(t.saved, c), 'saved (frozen − flywheel)'),
    stat(num(t.labels), 'labels joined'),
    stat(num(input.retrains.length), 'retrains'),
    stat(num(t.snapshots), 'snapshots'),
    stat(
      `${num(count('canary.promoted'))} / ${num(count('canary.rolled_back'))}`,
      'canaries promoted / rolled back',
    ),
    stat(num(input.alerts.length), 'alerts'),
  ].join('')}</div>`;
  return { cls: t.saved > 0 ? 'passed' : t.saved < 0 ? 'failed' : 'even', text, stats };
}

function monthly(input: DemoReport): string {
  const c = input.currency;
  const months = input.months;
  if (months.length === 0)
    return section('months', 'Month by month', note('No month was replayed.'));
  const labelled = months.reduce((s, m) => s + m.labelled, 0);
  const weighted = (key: 'frozenCost' | 'flywheelCost') =>
    labelled > 0 ? months.reduce((s, m) => s + m[key] * m.labelled, 0) / labelled : Number.NaN;
  const rows = months.map((m) => [
    escapeHtml(m.month),
    num(m.requests),
    num(m.labelled),
    percent(m.positiveRate),
    num(m.frozenCost),
    num(m.flywheelCost),
    difference(m.flywheelCost - m.frozenCost),
    money(m.frozenTotal, c),
    money(m.flywheelTotal, c),
    money(m.frozenTotal - m.flywheelTotal, c),
  ]);
  rows.push(
    [
      'all',
      num(months.reduce((s, m) => s + m.requests, 0)),
      num(labelled),
      '',
      num(weighted('frozenCost')),
      num(weighted('flywheelCost')),
      difference(weighted('flywheelCost') - weighted('frozenCost')),
      money(input.totals.frozenCost, c),
      money(input.totals.flywheelCost, c),
      money(input.totals.saved, c),
    ].map((cell) => `<b>${cell}</b>`),
  );
  const tableHtml = table(
    [
      'month',
      'requests',
      'labelled (n)',
      'positive rate',
      `frozen, per decision (${c})`,
      `flywheel, per decision (${c})`,
      'flywheel − frozen',
      'frozen, total',
      'flywheel, total',
      'saved',
    ],
    rows,
  );
  return section(
    'months',
    'Month by month',
    `${chart('chart-months', `Cost per decision (${c}) each month: the frozen first champion against what the flywheel served`)}
<p class="note">Cost per decision is the month's cost over its n labelled decisions, with the costs of the framing (${costLine(input)}); lower is better. The "all" row weights each month by n.</p>${tableHtml}`,
  );
}

/** A cost difference (flywheel or challenger − the other): negative is cheaper, so good. */
function difference(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const cls = value < 0 ? 'good' : value > 0 ? 'bad' : '';
  return `<span class="${cls}">${value > 0 ? '+' : ''}${num(value)}</span>`;
}

const costLine = (input: DemoReport) => {
  const k = input.costs;
  return `per decision in ${escapeHtml(input.currency)}: TP ${num(k.tp)}, FP ${num(k.fp)}, FN ${num(k.fn)}, TN ${num(k.tn)}`;
};

function timelineSection(input: DemoReport, offAxis: number): string {
  const c = input.currency;
  const off =
    offAxis > 0
      ? ` ${num(offAxis)} event(s) fall outside the replayed days and are listed in the tables only.`
      : '';
  return section(
    'timeline',
    'Timeline',
    input.daily.length === 0
      ? note('No day was replayed.')
      : `<figure class="chart wide"><canvas id="chart-timeline" role="img" aria-label="${escapeHtml(`Daily cost per decision (${c}), frozen and flywheel, with alerts, deployments and retrains`)}"></canvas><figcaption>Daily cost per decision (${escapeHtml(c)}; faint: each day, bold: 7-day mean weighted by requests; gaps: no labels yet), the champion version (dashed, right axis), and markers with a dashed line at each alert (▲), deployment (◆) and retrain (●). Shaded: days a canary served traffic. Hover a marker for its details.</figcaption></figure>${note(`Days are replay time (UTC), ${input.sample.from} to ${input.sample.to}.${off}`)}`,
  );
}

function retrainsSection(input: DemoReport): string {
  const c = input.currency;
  if (input.retrains.length === 0) return section('retrains', 'Retrains', note('No retrain ran.'));
  const rows = input.retrains.map((r) => {
    const g = r.gate;
    const gate = g
      ? [
          `${num(g.championCost)} → ${num(g.challengerCost)}`,
          `${difference(g.difference.estimate)} <span class="ci">[${num(g.difference.lower)}, ${num(g.difference.upper)}]</span>`,
          percent(g.probabilityBetter),
          num(g.rows),
          g.passed ? '<b class="good">pass</b>' : '<b class="bad">fail</b>',
        ]
      : ['–', '–', '–', '–', 'not gated'];
    return [
      instant(r.at),
      escapeHtml(r.trigger),
      code(r.snapshotId),
      `${num(r.rows)} <span class="ci">(${num(r.feedbackRows)} from feedback)</span>`,
      r.challenger === null ? '–' : escapeHtml(r.challenger),
      ...gate,
      escapeHtml(r.outcome),
    ];
  });
  return section(
    'retrains',
    'Retrains',
    `<p class="note">Each challenger is gated against the serving champion on the same held-out rows: cost per decision (${escapeHtml(c)}) of both, the paired bootstrap 95% interval of challenger − champion (negative: the challenger is cheaper), and the bootstrap probability that it is better.</p>${table(
      [
        'at',
        'trigger',
        'snapshot',
        'training rows',
        'challenger',
        `champion → challenger, per decision (${c})`,
        'challenger − champion [95% interval]',
        'P(better)',
        'gate rows (n)',
        'gate',
        'outcome',
      ],
      rows,
    )}`,
  );
}

function alertsSection(input: DemoReport): string {
  if (input.alerts.length === 0) return section('alerts', 'Alerts', note('No alert fired.'));
  const severity = (s: string) => {
    const level = /crit|block|error|page/i.test(s) ? 'block' : /warn/i.test(s) ? 'warn' : 'info';
    return `<span class="badge sev-${level}">${escapeHtml(s)}</span>`;
  };
  return section(
    'alerts',
    'Alerts',
    table(
      ['fired', 'resolved', 'lasted', 'severity', 'rule', 'subject', 'message'],
      input.alerts.map((a) => [
        instant(a.firedAt),
        a.resolvedAt === null ? '–' : instant(a.resolvedAt),
        duration(a.firedAt, a.resolvedAt),
        severity(a.severity),
        `<code>${escapeHtml(a.rule)}</code>`,
        escapeHtml(a.subject),
        escapeHtml(a.message),
      ]),
    ),
  );
}

function deploymentsSection(input: DemoReport): string {
  if (input.deployments.length === 0)
    return section('deployments', 'Deployments', note('No deployment event.'));
  const outcome = (action: string) =>
    action === 'canary.promoted' ? 'good' : action === 'canary.rolled_back' ? 'bad' : '';
  return section(
    'deployments',
    'Deployments',
    table(
      ['at', 'action', 'version', 'reason'],
      input.deployments.map((d) => [
        instant(d.at),
        `<code class="${outcome(d.action)}">${escapeHtml(d.action)}</code>`,
        d.version === null ? '–' : num(d.version),
        escapeHtml(d.reason),
      ]),
    ),
  );
}

function howSection(input: DemoReport): string {
  const s = input.sample;
  const total = input.timing.totalSeconds;
  const stages = input.timing.stages.map((st) => [
    escapeHtml(st.name),
    num(st.seconds, 1),
    total > 0 ? percent(st.seconds / total) : '–',
  ]);
  stages.push(['<b>total</b>', `<b>${num(total, 1)}</b>`, '']);
  return section(
    'how',
    'How this was run',
    `<p>${escapeHtml(s.description)}</p>${table(
      ['setting', 'value'],
      [
        ['model', escapeHtml(input.model)],
        [
          'sample',
          `${Number.isFinite(s.fraction) ? +(100 * s.fraction).toPrecision(3) : '–'}% of the rows, seed ${num(s.seed)}`,
        ],
        ['training rows (first champion)', num(s.trainRows)],
        ['replayed requests', num(s.replayedRequests)],
        ['replay period', `${escapeHtml(s.from)} to ${escapeHtml(s.to)} (${num(s.days)} days)`],
        ['decision costs', costLine(input)],
      ],
    )}<h3>Timing</h3>${table(['stage', 'seconds', 'share'], stages)}`,
  );
}

/**
 * Renders the demo report: one self-contained HTML file.
 *
 * @example
 * writeFileSync('demo-report.html', renderDemoReport(report));
 */
export function renderDemoReport(input: DemoReport): string {
  const head = headline(input);
  const line = timeline(input);
  const { offAxis, ...timelineData } = line;
  return renderPage({
    title: input.title,
    style: DEMO_STYLE,
    script: DEMO_SCRIPT,
    data: {
      currency: input.currency,
      months: {
        labels: input.months.map((m) => m.month),
        frozen: input.months.map((m) => m.frozenCost),
        flywheel: input.months.map((m) => m.flywheelCost),
        labelled: input.months.map((m) => m.labelled),
      },
      timeline: timelineData,
    },
    headerClass: head.cls,
    header: `<p>${head.text} Model <b>${escapeHtml(input.model)}</b>. Generated ${escapeHtml(input.generatedAt)}.</p>
${links(input)}`,
    sections: [
      section(
        'headline',
        'Headline',
        `${head.stats}<p class="note">Frozen: the first champion, never retrained, scored on the same requests. Flywheel: what was actually served. Costs ${costLine(input)}.</p>`,
      ),
      monthly(input),
      timelineSection(input, offAxis),
      retrainsSection(input),
      alertsSection(input),
      deploymentsSection(input),
      howSection(input),
    ],
  });
}
