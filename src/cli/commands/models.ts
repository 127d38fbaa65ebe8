/**
 * `flywheel models list|show|promote|rollback|export|history`: the model
 * registry from the command line, a thin layer over ModelRegistry. Every
 * change is made as FLYWHEEL_ACTOR (else USER) with a required reason.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { FlywheelError } from '../../errors.js';
import { actorName } from '../../pipeline/index.js';
import {
  type AliasMove,
  CHAMPION,
  loadAndScore,
  type ModelBundle,
  ModelRegistry,
  type ModelVersion,
  parseModelRef,
  type SmokeCheck,
} from '../../registry/index.js';
import { commitTemp, type Stores, writeTemp } from '../../store/index.js';
import { formatTable, type Io, printJson } from '../output.js';
import { openStoreForCli } from '../store.js';

export interface ModelsCommandOptions {
  /** The check a version must pass before an alias moves to it (default: load and score one row). */
  smokeCheck?: SmokeCheck;
  /** Opens the store named by `--store` (default: `openStoreForCli`). */
  openStore?: (opts: { store?: string }) => Promise<Stores>;
}

const storeOption = () =>
  new Option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)');

/**
 * Builds the `models` command.
 *
 * @example
 * program.addCommand(modelsCommand(io, { smokeCheck: scorerSmokeCheck }));
 */
export function modelsCommand(io: Io, options: ModelsCommandOptions = {}): Command {
  const open = options.openStore ?? openStoreForCli;
  const withRegistry = async <T>(
    store: string | undefined,
    fn: (registry: ModelRegistry, stores: Stores) => Promise<T>,
  ): Promise<T> => {
    const stores = await open(store === undefined ? {} : { store });
    try {
      return await fn(new ModelRegistry(stores), stores);
    } finally {
      await stores.close();
    }
  };

  const models = new Command('models').description('the model registry: versions and aliases');
  models
    .command('list')
    .description('registered models with their versions and aliases')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: { store?: string; json?: boolean }) => {
      const list = await withRegistry(opts.store, (r) => r.listModels());
      if (opts.json) return printJson(io, { models: list });
      if (list.length === 0) return io.out('No models registered yet.');
      io.out(
        formatTable(
          ['model', 'versions', 'champion', 'canary', 'other aliases'],
          list.map((m) => {
            const { champion, canary, ...others } = m.aliases;
            const rest = Object.entries(others).map(([a, v]) => `${a}=${v}`);
            return [m.name, m.versions, champion, canary, rest.join(', ') || '-'];
          }),
          ['l', 'r', 'r', 'r', 'l'],
        ),
      );
    });

  models
    .command('show')
    .description('one version: bundle summary, lineage, blessing, aliases and alias history')
    .argument('<ref>', 'NAME (its champion, else its latest version), NAME@VERSION or NAME@ALIAS')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (ref: string, opts: { store?: string; json?: boolean }) => {
      const detail = await withRegistry(opts.store, async (registry) => {
        const version = await resolveForShow(registry, ref);
        const [bundle, aliases, versions, history] = await Promise.all([
          registry.loadBundle(version),
          registry.aliases(version.name),
          registry.listVersions(version.name),
          registry.aliasHistory(version.name),
        ]);
        return { version, bundle: bundleSummary(bundle), aliases, versions, history };
      });
      if (opts.json) return printJson(io, detail);
      io.out(renderShow(detail));
    });

  models
    .command('promote')
    .description('point an alias (default champion) at a blessed version after a smoke check')
    .argument('<ref>', 'NAME@VERSION (or NAME@ALIAS: the version that alias holds)')
    .option('--alias <alias>', 'the alias to move', CHAMPION)
    .requiredOption('--reason <text>', 'why (recorded in the alias history and the audit log)')
    .option('--evidence <json>', 'evidence for the move, as JSON (e.g. a gate report summary)')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        ref: string,
        opts: { alias: string; reason: string; evidence?: string; store?: string; json?: boolean },
      ) => {
        const parsed = parseModelRef(ref);
        if (!ref.includes('@')) {
          throw new FlywheelError('USAGE', 'say which version to promote: NAME@VERSION', {
            hint: `e.g. flywheel models promote ${parsed.name}@3 --reason "…"`,
          });
        }
        const evidence = opts.evidence === undefined ? null : parseEvidence(opts.evidence);
        const result = await withRegistry(opts.store, async (registry) => {
          const version = await registry.resolve(ref);
          const before = (await registry.aliases(version.name))[opts.alias];
          const move = await registry.moveAlias({
            name: version.name,
            alias: opts.alias,
            version: version.version,
            actor: actorName(),
            reason: opts.reason,
            evidence,
            smokeCheck: options.smokeCheck ?? loadAndScore,
          });
          return { move, unchanged: before === version.version };
        });
        if (opts.json) return printJson(io, result);
        const { move } = result;
        io.out(
          result.unchanged
            ? `${move.name}@${move.alias} already points at version ${move.toVersion}; nothing changed`
            : `${move.name}@${move.alias}: ${arrow(move)} (move #${move.id}, by ${move.actor})`,
        );
      },
    );

  models
    .command('rollback')
    .description(
      'point an alias (default champion) back at the version it held before its last move',
    )
    .argument('<name>', 'model name')
    .option('--alias <alias>', 'the alias to roll back', CHAMPION)
    .requiredOption('--reason <text>', 'why (recorded in the alias history and the audit log)')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        name: string,
        opts: { alias: string; reason: string; store?: string; json?: boolean },
      ) => {
        const move = await withRegistry(opts.store, (registry) =>
          registry.rollback({ name, alias: opts.alias, actor: actorName(), reason: opts.reason }),
        );
        if (opts.json) return printJson(io, { move });
        io.out(`${move.name}@${move.alias} rolled back: ${arrow(move)} (move #${move.id})`);
      },
    );

  models
    .command('export')
    .description("write a version's bundle (JSON, byte for byte as registered) to a file")
    .argument('<ref>', 'NAME, NAME@VERSION or NAME@ALIAS')
    .requiredOption('--out <file>', 'where to write the bundle (replaced atomically)')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (ref: string, opts: { out: string; store?: string; json?: boolean }) => {
      const out = path.resolve(opts.out);
      const result = await withRegistry(opts.store, async (registry, stores) => {
        const version = await registry.resolve(ref);
        await registry.loadBundle(version); // verified and well-formed
        const bytes = await stores.artifacts.get(version.bundleSha256);
        await writeAtomically(out, bytes);
        return {
          model: version.name,
          version: version.version,
          out,
          sha256: version.bundleSha256,
          size: bytes.byteLength,
        };
      });
      if (opts.json) return printJson(io, result);
      io.out(
        `wrote ${result.model}@${result.version} to ${out} (${result.size.toLocaleString('en-US')} bytes, sha256:${result.sha256.slice(0, 12)})`,
      );
    });

  models
    .command('history')
    .description('alias moves (who, when, why), or with --at what each alias served at that time')
    .argument('<name>', 'model name')
    .option('--alias <alias>', 'only this alias')
    .option('--at <date>', 'ISO-8601 date or time: which version each alias held then')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        name: string,
        opts: { alias?: string; at?: string; store?: string; json?: boolean },
      ) => {
        const at = opts.at === undefined ? undefined : parseDate(opts.at);
        const result = await withRegistry(opts.store, async (registry): Promise<History> => {
          await registry.getVersion(name, 1); // NOT_FOUND for an unknown model
          const moves = await registry.aliasHistory(name, opts.alias);
          if (at === undefined) return { name, moves };
          const aliases = opts.alias ? [opts.alias] : [...new Set(moves.map((m) => m.alias))];
          const served: Record<string, number | null> = {};
          for (const alias of aliases.sort()) {
            served[alias] = (await registry.servedAt(name, alias, at)) ?? null;
          }
          return { name, at: at.toISOString(), served };
        });
        if (opts.json) return printJson(io, result);
        if ('served' in result) {
          const entries = Object.entries(result.served);
          if (entries.length === 0) return io.out(`${name} had no aliases at ${result.at}`);
          io.out(`What ${name} served at ${result.at}:`);
          io.out(
            formatTable(
              ['alias', 'version'],
              entries.map(([alias, v]) => [alias, v ?? '(unset)']),
              ['l', 'r'],
            ),
          );
          return;
        }
        io.out(
          result.moves.length === 0 ? `${name}: no alias moves yet` : renderMoves(result.moves),
        );
      },
    );
  return models;
}

type History =
  | { name: string; moves: AliasMove[] }
  | { name: string; at: string; served: Record<string, number | null> };

/** `show NAME` falls back to the latest version when there is no champion. */
async function resolveForShow(registry: ModelRegistry, ref: string): Promise<ModelVersion> {
  const parsed = parseModelRef(ref);
  if (ref.includes('@')) return registry.resolve(ref);
  const champion = (await registry.aliases(parsed.name))[CHAMPION];
  if (champion !== undefined) return registry.getVersion(parsed.name, champion);
  const versions = await registry.listVersions(parsed.name);
  if (versions.length === 0) return registry.getVersion(parsed.name, 1); // NOT_FOUND
  return versions.at(-1)!;
}

/** What a person wants to know about a bundle, without the model and the profile. */
function bundleSummary(b: ModelBundle) {
  return {
    task: b.task,
    rung: b.rung,
    inputs: b.inputs.map((i) => ({
      name: i.name,
      type: i.type,
      ...(i.categories ? { categories: i.categories.length } : {}),
    })),
    derived: b.derived.map((d) => d.name),
    features: b.features.length,
    featureVersions: b.featureVersions,
    ...(b.classes ? { classes: b.classes } : {}),
    decision: b.decision,
    ...(b.costs ? { costs: b.costs } : {}),
    currency: b.currency,
    ...(b.latencyBudget ? { latencyBudget: b.latencyBudget } : {}),
    specHash: b.specHash,
    lineage: b.lineage,
    blessing: { passed: b.blessing.passed, criteria: b.blessing.criteria },
    createdAt: b.createdAt,
  };
}

function renderShow(d: {
  version: ModelVersion;
  bundle: ReturnType<typeof bundleSummary>;
  aliases: Record<string, number>;
  versions: ModelVersion[];
  history: AliasMove[];
}): string {
  const { version: v, bundle: b } = d;
  const held = Object.entries(d.aliases)
    .filter(([, n]) => n === v.version)
    .map(([a]) => a);
  const decision =
    b.decision.kind === 'none'
      ? 'none'
      : b.decision.kind === 'threshold'
        ? `threshold ${b.decision.threshold}`
        : `top ${b.decision.k} per ${b.decision.per}`;
  const fields: [string, unknown][] = [
    ['model', `${v.name}@${v.version}${held.length ? ` (${held.join(', ')})` : ''}`],
    ['task', `${b.task}, rung ${b.rung}`],
    ['blessed', v.blessed ? 'yes: the gate passed' : 'NO: the gate did not pass'],
    ['bundle', `sha256:${v.bundleSha256}`],
    ['created', `${v.createdAt} by ${v.createdBy}`],
    ['run', v.runId],
    ['snapshot', v.snapshotId],
    ['spec hash', v.specHash],
    [
      'inputs',
      b.inputs
        .map((i) => `${i.name} (${i.type}${i.categories ? `, ${i.categories}` : ''})`)
        .join(', '),
    ],
    ['derived', b.derived.join(', ') || null],
    ['decision', decision],
    [
      'aliases',
      Object.entries(d.aliases)
        .map(([a, n]) => `${a} → ${n}`)
        .join(', ') || null,
    ],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const lines = fields.map(([k, val]) => `${k.padEnd(width)}  ${val === null ? '-' : String(val)}`);
  lines.push(
    '',
    formatTable(
      ['version', 'created', 'by', 'blessed', 'rung', 'run'],
      d.versions.map((x) => [
        x.version,
        x.createdAt.replace('T', ' ').slice(0, 19),
        x.createdBy,
        x.blessed ? 'yes' : 'no',
        x.rung,
        x.runId,
      ]),
      ['r', 'l', 'l', 'l', 'l', 'l'],
    ),
  );
  if (d.history.length > 0) lines.push('', renderMoves(d.history));
  return lines.join('\n');
}

function renderMoves(moves: readonly AliasMove[]): string {
  return formatTable(
    ['#', 'at', 'alias', 'action', 'from → to', 'by', 'reason'],
    moves.map((m) => [
      m.id,
      m.at.replace('T', ' ').slice(0, 19),
      m.alias,
      m.action,
      arrow(m),
      m.actor,
      m.reason,
    ]),
    ['r', 'l', 'l', 'l', 'l', 'l', 'l'],
  );
}

function arrow(m: AliasMove): string {
  return `${m.fromVersion ?? '(unset)'} → ${m.toVersion ?? '(unset)'}`;
}

function parseEvidence(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FlywheelError('USAGE', '--evidence is not valid JSON', {
      hint: `e.g. --evidence '{"gate":"passed","cost_delta":-120}'`,
    });
  }
}

function parseDate(text: string): Date {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new FlywheelError('USAGE', '--at is not an ISO-8601 date', {
      hint: 'e.g. --at 2025-03-01 or --at 2025-03-01T12:00:00Z',
    });
  }
  return date;
}

/** Writes `bytes` to `file` via a temp file and a rename, so a reader never sees half a file. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const info = await lstat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new FlywheelError('USAGE', `--out ${file} is a directory; give a file name`);
  }
  try {
    const temp = await writeTemp(dir, bytes);
    await commitTemp(temp.path, file);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new FlywheelError('USAGE', `cannot write ${file}: ${String(code ?? err)}`, {
      cause: err,
    });
  }
}
